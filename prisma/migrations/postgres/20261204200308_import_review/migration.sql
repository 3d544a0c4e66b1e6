-- AlterTable
ALTER TABLE "Entry" ADD COLUMN     "importReview" TEXT NOT NULL DEFAULT 'none';

-- CreateIndex
CREATE INDEX "Entry_writerId_importReview_idx" ON "Entry"("writerId", "importReview");
