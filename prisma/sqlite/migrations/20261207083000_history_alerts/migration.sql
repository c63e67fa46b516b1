-- CreateTable
CREATE TABLE "MetricSeries" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "vhost" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL DEFAULT '',
    "groupName" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "MetricPoint" (
    "seriesId" INTEGER NOT NULL,
    "minute" INTEGER NOT NULL,
    "ready" REAL NOT NULL,
    "unacked" REAL NOT NULL,
    "publishRate" REAL NOT NULL,
    "deliverRate" REAL NOT NULL,
    "ackRate" REAL NOT NULL,
    "consumers" REAL NOT NULL,
    "lagMessages" REAL,
    "lagMs" REAL,
    "oldestAgeMs" REAL,
    "redeliverRate" REAL,
    "returnRate" REAL,
    "deadLetterRate" REAL,

    PRIMARY KEY ("seriesId", "minute")
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "vhost" TEXT NOT NULL,
    "pattern" TEXT NOT NULL,
    "condition" TEXT NOT NULL,
    "threshold" REAL NOT NULL DEFAULT 0,
    "forSeconds" INTEGER NOT NULL DEFAULT 0,
    "webhookId" INTEGER,
    "slackWebhookId" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AlertWebhook" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'warren',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AlertEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ruleId" INTEGER NOT NULL,
    "ruleName" TEXT NOT NULL,
    "vhost" TEXT NOT NULL,
    "object" TEXT NOT NULL,
    "objectKind" TEXT NOT NULL,
    "condition" TEXT NOT NULL,
    "threshold" REAL NOT NULL,
    "value" REAL NOT NULL,
    "firedAt" DATETIME NOT NULL,
    "recoveredAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "MetricSeries_kind_vhost_name_groupName_key" ON "MetricSeries"("kind", "vhost", "name", "groupName");

-- CreateIndex
CREATE INDEX "MetricPoint_minute_idx" ON "MetricPoint"("minute");

-- CreateIndex
CREATE UNIQUE INDEX "AlertRule_name_key" ON "AlertRule"("name");

-- CreateIndex
CREATE UNIQUE INDEX "AlertWebhook_name_key" ON "AlertWebhook"("name");

-- CreateIndex
CREATE INDEX "AlertEvent_firedAt_idx" ON "AlertEvent"("firedAt");

-- CreateIndex
CREATE INDEX "AlertEvent_recoveredAt_idx" ON "AlertEvent"("recoveredAt");
