-- AlterTable
ALTER TABLE "Publication" ADD COLUMN "domainToken" TEXT;
ALTER TABLE "Publication" ADD COLUMN "pendingDomain" TEXT;

-- A domain set before the proof existed was never proved: it waits for its TXT record like a new claim.
UPDATE "Publication" SET "pendingDomain" = "domain", "domainToken" = lower(hex(randomblob(16))), "domain" = NULL WHERE "domain" IS NOT NULL;
