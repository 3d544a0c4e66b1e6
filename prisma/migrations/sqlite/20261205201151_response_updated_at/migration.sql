-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Response" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT,
    "actorUrl" TEXT,
    "url" TEXT,
    "html" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "publishedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Response" ("actorId", "actorUrl", "entryId", "handle", "html", "id", "name", "publishedAt", "receivedAt", "status", "url", "writerId") SELECT "actorId", "actorUrl", "entryId", "handle", "html", "id", "name", "publishedAt", "receivedAt", "status", "url", "writerId" FROM "Response";
DROP TABLE "Response";
ALTER TABLE "new_Response" RENAME TO "Response";
CREATE INDEX "Response_entryId_status_publishedAt_idx" ON "Response"("entryId", "status", "publishedAt");
CREATE INDEX "Response_writerId_status_idx" ON "Response"("writerId", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
