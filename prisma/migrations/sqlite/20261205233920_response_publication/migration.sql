-- AlterTable
ALTER TABLE "Response" ADD COLUMN "publicationId" TEXT;

-- CreateIndex
CREATE INDEX "Response_publicationId_status_idx" ON "Response"("publicationId", "status");

-- Replies already held for entries in a publication: their owner moderates them too.
UPDATE "Response" SET "publicationId" = (SELECT "publicationId" FROM "Entry" WHERE "Entry"."id" = "Response"."entryId");
