-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_EntryVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "arweaveId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "entryJson" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "renderer" INTEGER NOT NULL DEFAULT 0,
    "contributor" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "timestamp" INTEGER NOT NULL,
    "dataItem" BLOB,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "uploadedAt" DATETIME,
    "confirmedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EntryVersion_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_EntryVersion" ("arweaveId", "attempts", "confirmedAt", "contributor", "createdAt", "dataItem", "digest", "entryId", "entryJson", "html", "id", "lastError", "lockedUntil", "nextAttemptAt", "signature", "status", "timestamp", "title", "uploadedAt", "version") SELECT "arweaveId", "attempts", "confirmedAt", "contributor", "createdAt", "dataItem", "digest", "entryId", "entryJson", "html", "id", "lastError", "lockedUntil", "nextAttemptAt", "signature", "status", "timestamp", "title", "uploadedAt", "version" FROM "EntryVersion";
DROP TABLE "EntryVersion";
ALTER TABLE "new_EntryVersion" RENAME TO "EntryVersion";
CREATE UNIQUE INDEX "EntryVersion_digest_key" ON "EntryVersion"("digest");
CREATE UNIQUE INDEX "EntryVersion_arweaveId_key" ON "EntryVersion"("arweaveId");
CREATE INDEX "EntryVersion_status_nextAttemptAt_idx" ON "EntryVersion"("status", "nextAttemptAt");
CREATE UNIQUE INDEX "EntryVersion_entryId_version_key" ON "EntryVersion"("entryId", "version");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
