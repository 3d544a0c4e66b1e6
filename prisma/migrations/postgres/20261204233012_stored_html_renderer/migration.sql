-- AlterTable
ALTER TABLE "EntryVersion" ADD COLUMN     "renderer" INTEGER NOT NULL DEFAULT 0;
