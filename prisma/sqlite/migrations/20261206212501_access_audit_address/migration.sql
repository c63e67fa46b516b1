-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AuditEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "time" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user" TEXT NOT NULL,
    "address" TEXT NOT NULL DEFAULT '',
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "details" TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO "new_AuditEntry" ("action", "details", "id", "target", "time", "user") SELECT "action", "details", "id", "target", "time", "user" FROM "AuditEntry";
DROP TABLE "AuditEntry";
ALTER TABLE "new_AuditEntry" RENAME TO "AuditEntry";
CREATE INDEX "AuditEntry_time_idx" ON "AuditEntry"("time");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Permissions are enforced from this version on: administrators made before
-- (the default guest) keep what they could do, every permission on vhost '/'.
INSERT INTO "Permission" ("userId", "vhostId", "configure", "write", "read")
SELECT u."id", v."id", '.*', '.*', '.*'
FROM "User" u, "Vhost" v
WHERE v."name" = '/' AND u."tags" LIKE '%"administrator"%'
  AND NOT EXISTS (SELECT 1 FROM "Permission" p WHERE p."userId" = u."id");
