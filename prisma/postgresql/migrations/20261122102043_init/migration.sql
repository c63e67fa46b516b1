-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Vhost" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Vhost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Permission" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "vhostId" INTEGER NOT NULL,
    "configure" TEXT NOT NULL,
    "write" TEXT NOT NULL,
    "read" TEXT NOT NULL,

    CONSTRAINT "Permission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Exchange" (
    "id" SERIAL NOT NULL,
    "vhostId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "durable" BOOLEAN NOT NULL DEFAULT true,
    "autoDelete" BOOLEAN NOT NULL DEFAULT false,
    "internal" BOOLEAN NOT NULL DEFAULT false,
    "arguments" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "Exchange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Queue" (
    "id" SERIAL NOT NULL,
    "vhostId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'classic',
    "durable" BOOLEAN NOT NULL DEFAULT true,
    "autoDelete" BOOLEAN NOT NULL DEFAULT false,
    "arguments" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "Queue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Binding" (
    "id" SERIAL NOT NULL,
    "vhostId" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "destinationType" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "routingKey" TEXT NOT NULL DEFAULT '',
    "arguments" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "Binding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Policy" (
    "id" SERIAL NOT NULL,
    "vhostId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "pattern" TEXT NOT NULL,
    "applyTo" TEXT NOT NULL DEFAULT 'all',
    "definition" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" SERIAL NOT NULL,
    "time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "details" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Vhost_name_key" ON "Vhost"("name");

-- CreateIndex
CREATE UNIQUE INDEX "User_name_key" ON "User"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Permission_userId_vhostId_key" ON "Permission"("userId", "vhostId");

-- CreateIndex
CREATE UNIQUE INDEX "Exchange_vhostId_name_key" ON "Exchange"("vhostId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Queue_vhostId_name_key" ON "Queue"("vhostId", "name");

-- CreateIndex
CREATE INDEX "Binding_vhostId_destinationType_destination_idx" ON "Binding"("vhostId", "destinationType", "destination");

-- CreateIndex
CREATE UNIQUE INDEX "Binding_identity_key" ON "Binding"("vhostId", "source", "destinationType", "destination", "routingKey", "arguments");

-- CreateIndex
CREATE UNIQUE INDEX "Policy_vhostId_name_key" ON "Policy"("vhostId", "name");

-- CreateIndex
CREATE INDEX "AuditEntry_time_idx" ON "AuditEntry"("time");

-- AddForeignKey
ALTER TABLE "Permission" ADD CONSTRAINT "Permission_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Permission" ADD CONSTRAINT "Permission_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Exchange" ADD CONSTRAINT "Exchange_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Queue" ADD CONSTRAINT "Queue_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Binding" ADD CONSTRAINT "Binding_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Policy" ADD CONSTRAINT "Policy_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost"("id") ON DELETE CASCADE ON UPDATE CASCADE;
