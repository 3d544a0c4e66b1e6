-- AlterTable
ALTER TABLE "Edition" ADD COLUMN "goneAt" DATETIME;

-- CreateTable
CREATE TABLE "IndexedChain" (
    "chainId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "genesisHash" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
