import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrations } from '../../server/store/db/create-migration';
import { MetadataDbError, openMetadataDb } from '../../server/store/db/index';
import { migrationNames, prismaFiles } from '../../server/store/db/schema-files';
import { addFieldToBothSchemas, adminQuery, copyPrismaDir, freshPostgresDatabase, makeTempDir, postgresUrl } from './helpers';

const ALL_MIGRATIONS = migrationNames(prismaFiles('postgresql'));

describe('PostgreSQL settings errors (no server needed)', () => {
  it('reports an unreachable server in one line naming DATABASE_URL, without the password', async () => {
    const error = await openMetadataDb({ databaseUrl: 'postgresql://warren:s3cret@127.0.0.1:1/warren', dataDir: '.' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataDbError);
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot open the metadata database postgresql:\/\/warren:\*\*\*@127\.0\.0\.1:1\/warren \(DATABASE_URL\): DatabaseNotReachable/);
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('\n');
  });
});

describe.skipIf(!postgresUrl)('PostgreSQL metadata database (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const baseUrl = postgresUrl as string;
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  beforeAll(async () => {
    database = await freshPostgresDatabase(baseUrl);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('migrates a fresh database, writes and reads, and applies nothing twice after a restart', async () => {
    const lines: string[] = [];
    const first = await openMetadataDb({ databaseUrl: database.url, dataDir: '.', log: (line) => lines.push(line) });
    try {
      expect(first.provider).toBe('postgresql');
      expect(first.appliedMigrations).toEqual(ALL_MIGRATIONS);
      const tables = await first.prisma.$queryRawUnsafe<{ table_name: string }[]>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['AuditEntry', 'Binding', 'Exchange', 'Permission', 'Policy', 'Queue', 'User', 'Vhost', '_prisma_migrations']),
      );
      const vhost = await first.prisma.vhost.create({ data: { name: '/' } });
      await first.prisma.exchange.create({ data: { vhostId: vhost.id, name: 'orders', type: 'topic', arguments: '{"alternate-exchange":"ae"}' } });
      await first.prisma.auditEntry.create({ data: { user: 'admin', action: 'exchange.declare', target: '/orders' } });
    } finally {
      await first.close();
    }
    expect(lines[0]).toContain('PostgreSQL postgresql://warren:***@');

    const second = await openMetadataDb({ databaseUrl: database.url, dataDir: '.', log: (line) => lines.push(line) });
    try {
      expect(second.appliedMigrations).toEqual([]);
      expect(lines[1]).toContain('up to date, no migration applied');
      const recorded = await second.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT COUNT(*) AS n FROM _prisma_migrations');
      expect(Number(recorded[0]!.n)).toBe(ALL_MIGRATIONS.length);
      const exchange = await second.prisma.exchange.findFirstOrThrow({ include: { vhost: true } });
      expect([exchange.vhost.name, exchange.name, JSON.parse(exchange.arguments)]).toEqual(['/', 'orders', { 'alternate-exchange': 'ae' }]);
      await second.prisma.vhost.delete({ where: { name: '/' } });
      expect(await second.prisma.exchange.count()).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('creates a migration from a schema change through a shadow database it then drops', async () => {
    const temp = makeTempDir();
    try {
      const prismaDir = copyPrismaDir(temp.dir);
      addFieldToBothSchemas(prismaDir, 'Policy', 'description String @default("")');
      const created = await createMigrations({ name: 'policy description', prismaDir, postgresUrl: database.url });
      expect(created.postgresql).not.toMatch(/^(skipped|unchanged)$/);
      expect(readFileSync(created.postgresql, 'utf8')).toMatch(/ALTER TABLE "Policy" ADD COLUMN\s+"description" TEXT NOT NULL DEFAULT ''/);
      expect(created.postgresql.replace('/postgresql/', '/sqlite/')).toBe(created.sqlite);

      const shadows = await adminQuery(baseUrl, "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
      expect(shadows).toEqual([]);

      const again = await createMigrations({ name: 'again', prismaDir, postgresUrl: database.url });
      expect(again).toEqual({ sqlite: 'unchanged', postgresql: 'unchanged' });

      const upgraded = await openMetadataDb({ databaseUrl: database.url, dataDir: '.', prismaDir });
      try {
        expect(upgraded.appliedMigrations).toEqual([join(created.postgresql, '..').split('/').pop()]);
      } finally {
        await upgraded.close();
      }
    } finally {
      temp.remove();
    }
  });
});
