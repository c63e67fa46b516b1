-- AlterTable
ALTER TABLE "AuditEntry" ADD COLUMN     "address" TEXT NOT NULL DEFAULT '';

-- Permissions are enforced from this version on: administrators made before
-- (the default guest) keep what they could do, every permission on vhost '/'.
INSERT INTO "Permission" ("userId", "vhostId", "configure", "write", "read")
SELECT u."id", v."id", '.*', '.*', '.*'
FROM "User" u, "Vhost" v
WHERE v."name" = '/' AND u."tags" LIKE '%"administrator"%'
  AND NOT EXISTS (SELECT 1 FROM "Permission" p WHERE p."userId" = u."id");
