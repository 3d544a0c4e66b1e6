-- CreateTable
CREATE TABLE "Writer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "address" TEXT NOT NULL,
    "handle" TEXT,
    "displayName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Writer_address_key" ON "Writer"("address");

-- CreateIndex
CREATE UNIQUE INDEX "Writer_handle_key" ON "Writer"("handle");
