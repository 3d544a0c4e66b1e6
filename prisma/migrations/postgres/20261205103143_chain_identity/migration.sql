-- AlterTable
ALTER TABLE "Edition" ADD COLUMN     "goneAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "IndexedChain" (
    "chainId" INTEGER NOT NULL,
    "genesisHash" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IndexedChain_pkey" PRIMARY KEY ("chainId")
);
