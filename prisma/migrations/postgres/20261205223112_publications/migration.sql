/*
  Warnings:

  - A unique constraint covering the columns `[publicationId,slug]` on the table `Entry` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "Draft" ADD COLUMN     "publicationId" TEXT;

-- AlterTable
ALTER TABLE "Entry" ADD COLUMN     "publicationId" TEXT;

-- AlterTable
ALTER TABLE "Writer" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'writer';

-- CreateTable
CREATE TABLE "Publication" (
    "writerId" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Publication_pkey" PRIMARY KEY ("writerId")
);

-- CreateTable
CREATE TABLE "MembershipRecord" (
    "id" TEXT NOT NULL,
    "publicationId" TEXT NOT NULL,
    "member" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "from" INTEGER NOT NULL,
    "signature" TEXT NOT NULL,
    "json" TEXT NOT NULL,
    "arweaveId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MembershipRecord_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Draft_publicationId_updatedAt_idx" ON "Draft"("publicationId", "updatedAt");

-- CreateIndex
CREATE INDEX "Entry_publicationId_publishedAt_idx" ON "Entry"("publicationId", "publishedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Entry_publicationId_slug_key" ON "Entry"("publicationId", "slug");

-- AddForeignKey
ALTER TABLE "Publication" ADD CONSTRAINT "Publication_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Publication" ADD CONSTRAINT "Publication_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Writer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MembershipRecord" ADD CONSTRAINT "MembershipRecord_publicationId_fkey" FOREIGN KEY ("publicationId") REFERENCES "Writer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Draft" ADD CONSTRAINT "Draft_publicationId_fkey" FOREIGN KEY ("publicationId") REFERENCES "Writer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entry" ADD CONSTRAINT "Entry_publicationId_fkey" FOREIGN KEY ("publicationId") REFERENCES "Writer"("id") ON DELETE SET NULL ON UPDATE CASCADE;
