-- AlterTable
ALTER TABLE "Edition" ADD COLUMN     "referralBps" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Purchase" ADD COLUMN     "referrer" TEXT;
