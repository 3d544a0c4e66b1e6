-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Edition" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "chainId" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "factory" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "supplyLimit" INTEGER NOT NULL,
    "royaltyBps" INTEGER NOT NULL,
    "feeBps" INTEGER NOT NULL,
    "referralBps" INTEGER NOT NULL DEFAULT 0,
    "fundingRecipient" TEXT NOT NULL,
    "splitRecipient" TEXT,
    "splitBps" INTEGER NOT NULL DEFAULT 0,
    "contentId" TEXT NOT NULL,
    "metadataId" TEXT NOT NULL,
    "salt" TEXT NOT NULL,
    "signature" TEXT,
    "deadline" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'signed',
    "createdBlock" INTEGER,
    "createdTx" TEXT,
    "goneAt" DATETIME,
    "minted" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Edition_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "Entry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Edition" ("address", "author", "chainId", "contentId", "createdAt", "createdBlock", "createdTx", "deadline", "entryId", "factory", "feeBps", "fundingRecipient", "goneAt", "id", "metadataId", "minted", "name", "price", "referralBps", "royaltyBps", "salt", "signature", "status", "supplyLimit", "symbol", "updatedAt") SELECT "address", "author", "chainId", "contentId", "createdAt", "createdBlock", "createdTx", "deadline", "entryId", "factory", "feeBps", "fundingRecipient", "goneAt", "id", "metadataId", "minted", "name", "price", "referralBps", "royaltyBps", "salt", "signature", "status", "supplyLimit", "symbol", "updatedAt" FROM "Edition";
DROP TABLE "Edition";
ALTER TABLE "new_Edition" RENAME TO "Edition";
CREATE UNIQUE INDEX "Edition_entryId_key" ON "Edition"("entryId");
CREATE UNIQUE INDEX "Edition_chainId_address_key" ON "Edition"("chainId", "address");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
