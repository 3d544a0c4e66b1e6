-- CreateTable
CREATE TABLE "Writer" (
    "id" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "handle" TEXT,
    "displayName" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Writer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Writer_address_key" ON "Writer"("address");

-- CreateIndex
CREATE UNIQUE INDEX "Writer_handle_key" ON "Writer"("handle");
