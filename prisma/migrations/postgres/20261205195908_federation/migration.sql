-- CreateTable
CREATE TABLE "ActorKey" (
    "id" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "publicJwk" TEXT NOT NULL,
    "privateJwk" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ActorKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Follower" (
    "id" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT,
    "url" TEXT,
    "inbox" TEXT NOT NULL,
    "sharedInbox" TEXT,
    "followId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Follower_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RemoteFollow" (
    "id" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT,
    "url" TEXT,
    "inbox" TEXT NOT NULL,
    "followId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acceptedAt" TIMESTAMP(3),

    CONSTRAINT "RemoteFollow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RemotePost" (
    "id" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "url" TEXT,
    "type" TEXT NOT NULL,
    "title" TEXT,
    "summary" TEXT,
    "html" TEXT NOT NULL,
    "inReplyTo" TEXT,
    "publishedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RemotePost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FediActivity" (
    "id" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "json" TEXT NOT NULL,
    "entryId" TEXT,
    "objectId" TEXT,
    "audience" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "lockedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "plannedAt" TIMESTAMP(3),

    CONSTRAINT "FediActivity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FediDelivery" (
    "id" TEXT NOT NULL,
    "activityId" TEXT NOT NULL,
    "inbox" TEXT NOT NULL,
    "recipients" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "FediDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RemoteInbox" (
    "url" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "failingSince" TIMESTAMP(3),
    "lastError" TEXT,
    "deadAt" TIMESTAMP(3),
    "lastOkAt" TIMESTAMP(3),

    CONSTRAINT "RemoteInbox_pkey" PRIMARY KEY ("url")
);

-- CreateTable
CREATE TABLE "Response" (
    "id" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT,
    "actorUrl" TEXT,
    "url" TEXT,
    "html" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "publishedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Response_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reaction" (
    "id" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Reaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FediBlock" (
    "id" TEXT NOT NULL,
    "writerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FediBlock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FederationKv" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "FederationKv_pkey" PRIMARY KEY ("key")
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

-- AddForeignKey
ALTER TABLE "ActorKey" ADD CONSTRAINT "ActorKey_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Follower" ADD CONSTRAINT "Follower_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RemoteFollow" ADD CONSTRAINT "RemoteFollow_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FediDelivery" ADD CONSTRAINT "FediDelivery_activityId_fkey" FOREIGN KEY ("activityId") REFERENCES "FediActivity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FediBlock" ADD CONSTRAINT "FediBlock_writerId_fkey" FOREIGN KEY ("writerId") REFERENCES "Writer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
