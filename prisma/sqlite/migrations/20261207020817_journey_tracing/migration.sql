-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Queue" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "vhostId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'classic',
    "durable" BOOLEAN NOT NULL DEFAULT true,
    "autoDelete" BOOLEAN NOT NULL DEFAULT false,
    "arguments" TEXT NOT NULL DEFAULT '{}',
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "traced" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "Queue_vhostId_fkey" FOREIGN KEY ("vhostId") REFERENCES "Vhost" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Queue" ("arguments", "autoDelete", "durable", "id", "name", "paused", "type", "vhostId") SELECT "arguments", "autoDelete", "durable", "id", "name", "paused", "type", "vhostId" FROM "Queue";
DROP TABLE "Queue";
ALTER TABLE "new_Queue" RENAME TO "Queue";
CREATE UNIQUE INDEX "Queue_vhostId_name_key" ON "Queue"("vhostId", "name");
CREATE TABLE "new_Vhost" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "traced" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Vhost" ("createdAt", "description", "id", "name") SELECT "createdAt", "description", "id", "name" FROM "Vhost";
DROP TABLE "Vhost";
ALTER TABLE "new_Vhost" RENAME TO "Vhost";
CREATE UNIQUE INDEX "Vhost_name_key" ON "Vhost"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
