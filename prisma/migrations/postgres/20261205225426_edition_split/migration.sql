-- AlterTable
ALTER TABLE "Edition" ADD COLUMN     "splitBps" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "splitRecipient" TEXT;
