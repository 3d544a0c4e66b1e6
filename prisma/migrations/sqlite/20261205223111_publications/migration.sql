-- CreateTable
CREATE TABLE "Publication" (
    "writerId" TEXT NOT NULL PRIMARY KEY,
    "ownerId" TEXT NOT NULL,
    "ownerAddress" TEXT NOT NULL,
    "salt" TEXT NOT NULL,
    "coverId" TEXT,
    "recordJson" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "recordTimestamp" INTEGER NOT NULL,
    "domain" TEXT,
    "payout" TEXT NOT NULL DEFAULT 'writer',
    "splitBps" INTEGER NOT NULL DEFAULT 5000,
    "payoutAddress" TEXT,
    "mirrorAddress" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Publication_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Publication_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Writer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MembershipRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "publicationId" TEXT NOT NULL,
    "member" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "from" INTEGER NOT NULL,
    "signature" TEXT NOT NULL,
    "json" TEXT NOT NULL,
    "arweaveId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MembershipRecord_publicationId_fkey" FOREIGN KEY ("publicationId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "publicationId" TEXT,
    "entryId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Draft_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Draft_publicationId_fkey" FOREIGN KEY ("publicationId") REFERENCES "Writer" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Draft_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Draft" ("content", "createdAt", "entryId", "id", "revision", "title", "updatedAt", "wordCount", "writerId") SELECT "content", "createdAt", "entryId", "id", "revision", "title", "updatedAt", "wordCount", "writerId" FROM "Draft";
DROP TABLE "Draft";
ALTER TABLE "new_Draft" RENAME TO "Draft";
CREATE UNIQUE INDEX "Draft_entryId_key" ON "Draft"("entryId");
CREATE INDEX "Draft_writerId_updatedAt_idx" ON "Draft"("writerId", "updatedAt");
CREATE INDEX "Draft_publicationId_updatedAt_idx" ON "Draft"("publicationId", "updatedAt");
CREATE TABLE "new_Entry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "originalDigest" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "publicationId" TEXT,
    "latestVersion" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "excerpt" TEXT NOT NULL,
    "wordCount" INTEGER NOT NULL,
    "importedFrom" TEXT,
    "verification" TEXT,
    "importReview" TEXT NOT NULL DEFAULT 'none',
    "publishedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Entry_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Entry_publicationId_fkey" FOREIGN KEY ("publicationId") REFERENCES "Writer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Entry" ("excerpt", "id", "importReview", "importedFrom", "latestVersion", "originalDigest", "publishedAt", "slug", "title", "updatedAt", "verification", "wordCount", "writerId") SELECT "excerpt", "id", "importReview", "importedFrom", "latestVersion", "originalDigest", "publishedAt", "slug", "title", "updatedAt", "verification", "wordCount", "writerId" FROM "Entry";
DROP TABLE "Entry";
ALTER TABLE "new_Entry" RENAME TO "Entry";
CREATE UNIQUE INDEX "Entry_originalDigest_key" ON "Entry"("originalDigest");
CREATE INDEX "Entry_publicationId_publishedAt_idx" ON "Entry"("publicationId", "publishedAt");
CREATE INDEX "Entry_writerId_publishedAt_idx" ON "Entry"("writerId", "publishedAt");
CREATE INDEX "Entry_publishedAt_idx" ON "Entry"("publishedAt");
CREATE INDEX "Entry_writerId_importReview_idx" ON "Entry"("writerId", "importReview");
CREATE UNIQUE INDEX "Entry_writerId_slug_key" ON "Entry"("writerId", "slug");
CREATE UNIQUE INDEX "Entry_publicationId_slug_key" ON "Entry"("publicationId", "slug");
CREATE TABLE "new_Writer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "address" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'writer',
    "handle" TEXT,
    "displayName" TEXT,
    "bio" TEXT,
    "avatarId" TEXT,
    "ensName" TEXT,
    "ensAvatar" TEXT,
    "ensCheckedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Writer" ("address", "avatarId", "bio", "createdAt", "displayName", "ensAvatar", "ensCheckedAt", "ensName", "handle", "id", "updatedAt") SELECT "address", "avatarId", "bio", "createdAt", "displayName", "ensAvatar", "ensCheckedAt", "ensName", "handle", "id", "updatedAt" FROM "Writer";
DROP TABLE "Writer";
ALTER TABLE "new_Writer" RENAME TO "Writer";
CREATE UNIQUE INDEX "Writer_address_key" ON "Writer"("address");
CREATE UNIQUE INDEX "Writer_handle_key" ON "Writer"("handle");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Publication_domain_key" ON "Publication"("domain");

-- CreateIndex
CREATE INDEX "Publication_ownerId_idx" ON "Publication"("ownerId");

-- CreateIndex
CREATE UNIQUE INDEX "MembershipRecord_arweaveId_key" ON "MembershipRecord"("arweaveId");

-- CreateIndex
CREATE INDEX "MembershipRecord_publicationId_member_from_idx" ON "MembershipRecord"("publicationId", "member", "from");

-- CreateIndex
CREATE INDEX "MembershipRecord_member_idx" ON "MembershipRecord"("member");
