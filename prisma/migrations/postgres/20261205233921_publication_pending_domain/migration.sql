-- AlterTable
ALTER TABLE "Publication" ADD COLUMN     "domainToken" TEXT,
ADD COLUMN     "pendingDomain" TEXT;

-- A domain set before the proof existed was never proved: it waits for its TXT record like a new claim.
UPDATE "Publication" SET "pendingDomain" = "domain", "domainToken" = replace(gen_random_uuid()::text, '-', ''), "domain" = NULL WHERE "domain" IS NOT NULL;
