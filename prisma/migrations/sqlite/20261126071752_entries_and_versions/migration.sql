-- CreateTable
CREATE TABLE "Entry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "originalDigest" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "latestVersion" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "excerpt" TEXT NOT NULL,
    "wordCount" INTEGER NOT NULL,
    "importedFrom" TEXT,
    "verification" TEXT,
    "publishedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Entry_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EntryVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "arweaveId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "entryJson" TEXT NOT NULL,
    "html" TEXT NOT NULL,
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

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Draft" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "content" TEXT NOT NULL,
    "wordCount" INTEGER NOT NULL DEFAULT 0,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "entryId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Draft_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Draft_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Draft" ("content", "createdAt", "id", "revision", "title", "updatedAt", "wordCount", "writerId") SELECT "content", "createdAt", "id", "revision", "title", "updatedAt", "wordCount", "writerId" FROM "Draft";
DROP TABLE "Draft";
ALTER TABLE "new_Draft" RENAME TO "Draft";
CREATE UNIQUE INDEX "Draft_entryId_key" ON "Draft"("entryId");
CREATE INDEX "Draft_writerId_updatedAt_idx" ON "Draft"("writerId", "updatedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Entry_originalDigest_key" ON "Entry"("originalDigest");

-- CreateIndex
CREATE INDEX "Entry_writerId_publishedAt_idx" ON "Entry"("writerId", "publishedAt");

-- CreateIndex
CREATE INDEX "Entry_publishedAt_idx" ON "Entry"("publishedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Entry_writerId_slug_key" ON "Entry"("writerId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "EntryVersion_digest_key" ON "EntryVersion"("digest");

-- CreateIndex
CREATE UNIQUE INDEX "EntryVersion_arweaveId_key" ON "EntryVersion"("arweaveId");

-- CreateIndex
CREATE INDEX "EntryVersion_status_nextAttemptAt_idx" ON "EntryVersion"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "EntryVersion_entryId_version_key" ON "EntryVersion"("entryId", "version");
