-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "confirmedAt" TIMESTAMP(3),
ADD COLUMN     "dataItem" BYTEA,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'image',
ADD COLUMN     "lastError" TEXT,
ADD COLUMN     "lockedUntil" TIMESTAMP(3),
ADD COLUMN     "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'queued',
ADD COLUMN     "uploadedAt" TIMESTAMP(3);

-- Uploads made before the outbox were uploaded inside their request: they are stored already.
UPDATE "Upload" SET "status" = 'confirmed', "uploadedAt" = "createdAt", "confirmedAt" = "createdAt";

-- CreateIndex
CREATE INDEX "Upload_arweaveId_idx" ON "Upload"("arweaveId");

-- CreateIndex
CREATE INDEX "Upload_status_nextAttemptAt_idx" ON "Upload"("status", "nextAttemptAt");
