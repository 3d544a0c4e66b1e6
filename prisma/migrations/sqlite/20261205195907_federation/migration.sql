-- CreateTable
CREATE TABLE "ActorKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "publicJwk" TEXT NOT NULL,
    "privateJwk" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ActorKey_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Follower" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT,
    "url" TEXT,
    "inbox" TEXT NOT NULL,
    "sharedInbox" TEXT,
    "followId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Follower_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RemoteFollow" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT,
    "url" TEXT,
    "inbox" TEXT NOT NULL,
    "followId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acceptedAt" DATETIME,
    CONSTRAINT "RemoteFollow_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RemotePost" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actorId" TEXT NOT NULL,
    "url" TEXT,
    "type" TEXT NOT NULL,
    "title" TEXT,
    "summary" TEXT,
    "html" TEXT NOT NULL,
    "inReplyTo" TEXT,
    "publishedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "FediActivity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "json" TEXT NOT NULL,
    "entryId" TEXT,
    "objectId" TEXT,
    "audience" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "lockedUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "plannedAt" DATETIME
);

-- CreateTable
CREATE TABLE "FediDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "activityId" TEXT NOT NULL,
    "inbox" TEXT NOT NULL,
    "recipients" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "sentAt" DATETIME,
    CONSTRAINT "FediDelivery_activityId_fkey" FOREIGN KEY ("activityId") REFERENCES "FediActivity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RemoteInbox" (
    "url" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "failingSince" DATETIME,
    "lastError" TEXT,
    "deadAt" DATETIME,
    "lastOkAt" DATETIME
);

-- CreateTable
CREATE TABLE "Response" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT,
    "actorUrl" TEXT,
    "url" TEXT,
    "html" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "publishedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Reaction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "FediBlock" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "writerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FediBlock_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FederationKv" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "expiresAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "ActorKey_writerId_algorithm_key" ON "ActorKey"("writerId", "algorithm");

-- CreateIndex
CREATE INDEX "Follower_writerId_createdAt_idx" ON "Follower"("writerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Follower_writerId_actorId_key" ON "Follower"("writerId", "actorId");

-- CreateIndex
CREATE UNIQUE INDEX "RemoteFollow_followId_key" ON "RemoteFollow"("followId");

-- CreateIndex
CREATE UNIQUE INDEX "RemoteFollow_writerId_actorId_key" ON "RemoteFollow"("writerId", "actorId");

-- CreateIndex
CREATE INDEX "RemotePost_actorId_publishedAt_idx" ON "RemotePost"("actorId", "publishedAt");

-- CreateIndex
CREATE INDEX "FediActivity_status_createdAt_idx" ON "FediActivity"("status", "createdAt");

-- CreateIndex
CREATE INDEX "FediActivity_entryId_idx" ON "FediActivity"("entryId");

-- CreateIndex
CREATE INDEX "FediActivity_writerId_objectId_idx" ON "FediActivity"("writerId", "objectId");

-- CreateIndex
CREATE INDEX "FediDelivery_status_nextAttemptAt_idx" ON "FediDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "FediDelivery_activityId_inbox_key" ON "FediDelivery"("activityId", "inbox");

-- CreateIndex
CREATE INDEX "RemoteInbox_host_idx" ON "RemoteInbox"("host");

-- CreateIndex
CREATE INDEX "Response_entryId_status_publishedAt_idx" ON "Response"("entryId", "status", "publishedAt");

-- CreateIndex
CREATE INDEX "Response_writerId_status_idx" ON "Response"("writerId", "status");

-- CreateIndex
CREATE INDEX "Reaction_entryId_type_idx" ON "Reaction"("entryId", "type");

-- CreateIndex
CREATE UNIQUE INDEX "Reaction_entryId_actorId_type_key" ON "Reaction"("entryId", "actorId", "type");

-- CreateIndex
CREATE UNIQUE INDEX "FediBlock_writerId_kind_value_key" ON "FediBlock"("writerId", "kind", "value");

-- CreateIndex
CREATE INDEX "FederationKv_expiresAt_idx" ON "FederationKv"("expiresAt");
