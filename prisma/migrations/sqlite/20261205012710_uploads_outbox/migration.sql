-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Upload" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "arweaveId" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'image',
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "dataItem" BLOB,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "uploadedAt" DATETIME,
    "confirmedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Upload_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Uploads made before the outbox were uploaded inside their request: they are stored already.
INSERT INTO "new_Upload" ("arweaveId", "contentType", "createdAt", "id", "sha256", "size", "writerId", "status", "uploadedAt", "confirmedAt") SELECT "arweaveId", "contentType", "createdAt", "id", "sha256", "size", "writerId", 'confirmed', "createdAt", "createdAt" FROM "Upload";
DROP TABLE "Upload";
ALTER TABLE "new_Upload" RENAME TO "Upload";
CREATE INDEX "Upload_writerId_createdAt_idx" ON "Upload"("writerId", "createdAt");
CREATE INDEX "Upload_arweaveId_idx" ON "Upload"("arweaveId");
CREATE INDEX "Upload_status_nextAttemptAt_idx" ON "Upload"("status", "nextAttemptAt");
CREATE UNIQUE INDEX "Upload_writerId_arweaveId_key" ON "Upload"("writerId", "arweaveId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
