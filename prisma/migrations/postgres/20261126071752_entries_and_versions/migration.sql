/*
  Warnings:

  - A unique constraint covering the columns `[entryId]` on the table `Draft` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "Draft" ADD COLUMN     "entryId" TEXT;

-- CreateTable
CREATE TABLE "Entry" (
    "id" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "originalDigest" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "latestVersion" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "excerpt" TEXT NOT NULL,
    "wordCount" INTEGER NOT NULL,
    "importedFrom" TEXT,
    "verification" TEXT,
    "publishedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EntryVersion" (
    "id" TEXT NOT NULL,
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
    "dataItem" BYTEA,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "uploadedAt" TIMESTAMP(3),
    "confirmedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EntryVersion_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE UNIQUE INDEX "Draft_entryId_key" ON "Draft"("entryId");

-- AddForeignKey
ALTER TABLE "Draft" ADD CONSTRAINT "Draft_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entry" ADD CONSTRAINT "Entry_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EntryVersion" ADD CONSTRAINT "EntryVersion_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry"("id") ON DELETE CASCADE ON UPDATE CASCADE;
