-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Entry" (
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
    "importReview" TEXT NOT NULL DEFAULT 'none',
    "publishedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Entry_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Entry" ("excerpt", "id", "importedFrom", "latestVersion", "originalDigest", "publishedAt", "slug", "title", "updatedAt", "verification", "wordCount", "writerId") SELECT "excerpt", "id", "importedFrom", "latestVersion", "originalDigest", "publishedAt", "slug", "title", "updatedAt", "verification", "wordCount", "writerId" FROM "Entry";
DROP TABLE "Entry";
ALTER TABLE "new_Entry" RENAME TO "Entry";
CREATE UNIQUE INDEX "Entry_originalDigest_key" ON "Entry"("originalDigest");
CREATE INDEX "Entry_writerId_publishedAt_idx" ON "Entry"("writerId", "publishedAt");
CREATE INDEX "Entry_publishedAt_idx" ON "Entry"("publishedAt");
CREATE INDEX "Entry_writerId_importReview_idx" ON "Entry"("writerId", "importReview");
CREATE UNIQUE INDEX "Entry_writerId_slug_key" ON "Entry"("writerId", "slug");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
