-- CreateTable
CREATE TABLE "Vhost" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Permission" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "vhostId" INTEGER NOT NULL,
    "configure" TEXT NOT NULL,
    "write" TEXT NOT NULL,
    "read" TEXT NOT NULL,
    CONSTRAINT "Permission_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Permission_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Exchange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "vhostId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "durable" BOOLEAN NOT NULL DEFAULT true,
    "autoDelete" BOOLEAN NOT NULL DEFAULT false,
    "internal" BOOLEAN NOT NULL DEFAULT false,
    "arguments" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "Exchange_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Queue" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "vhostId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'classic',
    "durable" BOOLEAN NOT NULL DEFAULT true,
    "autoDelete" BOOLEAN NOT NULL DEFAULT false,
    "arguments" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "Queue_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Binding" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "vhostId" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "destinationType" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "routingKey" TEXT NOT NULL DEFAULT '',
    "arguments" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "Binding_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Policy" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "vhostId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "pattern" TEXT NOT NULL,
    "applyTo" TEXT NOT NULL DEFAULT 'all',
    "definition" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Policy_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "time" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "details" TEXT NOT NULL DEFAULT '{}'
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
