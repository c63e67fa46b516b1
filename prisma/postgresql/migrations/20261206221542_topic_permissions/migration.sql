-- CreateTable
CREATE TABLE "TopicPermission" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "vhostId" INTEGER NOT NULL,
    "exchange" TEXT NOT NULL,
    "write" TEXT NOT NULL,
    "read" TEXT NOT NULL,

    CONSTRAINT "TopicPermission_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TopicPermission_userId_vhostId_exchange_key" ON "TopicPermission"("userId", "vhostId", "exchange");

-- AddForeignKey
ALTER TABLE "TopicPermission" ADD CONSTRAINT "TopicPermission_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TopicPermission" ADD CONSTRAINT "TopicPermission_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost"("id") ON DELETE CASCADE ON UPDATE CASCADE;
