-- CreateTable
CREATE TABLE "MetricSeries" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "vhost" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL DEFAULT '',
    "groupName" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "MetricSeries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetricPoint" (
    "seriesId" INTEGER NOT NULL,
    "minute" INTEGER NOT NULL,
    "ready" DOUBLE PRECISION NOT NULL,
    "unacked" DOUBLE PRECISION NOT NULL,
    "publishRate" DOUBLE PRECISION NOT NULL,
    "deliverRate" DOUBLE PRECISION NOT NULL,
    "ackRate" DOUBLE PRECISION NOT NULL,
    "consumers" DOUBLE PRECISION NOT NULL,
    "lagMessages" DOUBLE PRECISION,
    "lagMs" DOUBLE PRECISION,
    "oldestAgeMs" DOUBLE PRECISION,
    "redeliverRate" DOUBLE PRECISION,
    "returnRate" DOUBLE PRECISION,
    "deadLetterRate" DOUBLE PRECISION,

    CONSTRAINT "MetricPoint_pkey" PRIMARY KEY ("seriesId","minute")
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "vhost" TEXT NOT NULL,
    "pattern" TEXT NOT NULL,
    "condition" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "forSeconds" INTEGER NOT NULL DEFAULT 0,
    "webhookId" INTEGER,
    "slackWebhookId" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertWebhook" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'warren',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertWebhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertEvent" (
    "id" SERIAL NOT NULL,
    "ruleId" INTEGER NOT NULL,
    "ruleName" TEXT NOT NULL,
    "vhost" TEXT NOT NULL,
    "object" TEXT NOT NULL,
    "objectKind" TEXT NOT NULL,
    "condition" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "firedAt" TIMESTAMP(3) NOT NULL,
    "recoveredAt" TIMESTAMP(3),

    CONSTRAINT "AlertEvent_pkey" PRIMARY KEY ("id")
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
