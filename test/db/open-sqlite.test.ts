import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataDbError, openMetadataDb, type MetadataDb } from '../../server/store/db/index';
import { migrationNames, prismaFiles } from '../../server/store/db/schema-files';
import { makeTempDir } from './helpers';

const ALL_MIGRATIONS = migrationNames(prismaFiles('sqlite'));

async function count(db: MetadataDb, sql: string): Promise<number> {
  const rows = await db.prisma.$queryRawUnsafe<{ n: bigint | number }[]>(sql);
  return Number(rows[0]!.n);
}

describe('openMetadataDb on SQLite', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let opened: MetadataDb[];
  let logLines: string[];
  const open = async (extra: { databaseUrl?: string } = {}) => {
    const db = await openMetadataDb({ dataDir: join(temp.dir, 'data'), log: (line) => logLines.push(line), ...extra });
    opened.push(db);
    return db;
  };

  beforeEach(() => {
    temp = makeTempDir();
    opened = [];
    logLines = [];
  });
  afterEach(async () => {
    await Promise.all(opened.map((db) => db.close()));
    temp.remove();
  });

  it('creates warren.db in a fresh data directory with every migration applied', async () => {
    const db = await open();
    expect(db.provider).toBe('sqlite');
    expect(db.appliedMigrations).toEqual(ALL_MIGRATIONS);
    expect(logLines.at(-1)).toContain(`applied ${ALL_MIGRATIONS.length} migration(s)`);
    expect(logLines.at(-1)).toContain(join(temp.dir, 'data', 'warren.db'));

    const tables = await db.prisma.$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['AuditEntry', 'Binding', 'Exchange', 'Permission', 'Policy', 'Queue', 'User', 'Vhost', '_prisma_migrations']),
    );
    const recorded = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(ALL_MIGRATIONS);
  });

  it('writes and reads the topology, users, permissions, policies and audit entries', async () => {
    const db = await open();
    const vhost = await db.prisma.vhost.create({ data: { name: '/' } });
    const user = await db.prisma.user.create({ data: { name: 'guest', passwordHash: 'scrypt$x', tags: '["administrator"]' } });
    await db.prisma.permission.create({
      data: { userId: user.id, vhostId: vhost.id, configure: '.*', write: '.*', read: '.*' },
    });
    await db.prisma.exchange.create({ data: { vhostId: vhost.id, name: 'orders', type: 'topic' } });
    await db.prisma.queue.create({ data: { vhostId: vhost.id, name: 'orders.created', arguments: '{"x-max-length":10}' } });
    await db.prisma.binding.create({
      data: { vhostId: vhost.id, source: 'orders', destinationType: 'queue', destination: 'orders.created', routingKey: 'order.*' },
    });
    await db.prisma.policy.create({ data: { vhostId: vhost.id, name: 'limit', pattern: '^orders', definition: '{"max-length":5}' } });
    await db.prisma.auditEntry.create({ data: { user: 'guest', action: 'queue.purge', target: '/orders.created' } });

    const read = await db.prisma.vhost.findUniqueOrThrow({
      where: { name: '/' },
      include: { exchanges: true, queues: true, bindings: true, policies: true, permissions: { include: { user: true } } },
    });
    expect(read.exchanges.map((e) => [e.name, e.type, e.durable])).toEqual([['orders', 'topic', true]]);
    expect(read.queues.map((q) => [q.name, q.type, JSON.parse(q.arguments)])).toEqual([['orders.created', 'classic', { 'x-max-length': 10 }]]);
    expect(read.bindings.map((b) => `${b.source} -[${b.routingKey}]-> ${b.destination}`)).toEqual(['orders -[order.*]-> orders.created']);
    expect(read.policies[0]).toMatchObject({ name: 'limit', applyTo: 'all', priority: 0 });
    expect(read.permissions[0]!.user.name).toBe('guest');
    const entry = (await db.prisma.auditEntry.findMany())[0]!;
    expect(entry).toMatchObject({ user: 'guest', action: 'queue.purge', details: '{}' });
    expect(entry.time).toBeInstanceOf(Date);
  });

  it('enforces uniqueness and cascades a vhost deletion to its topology', async () => {
    const db = await open();
    const vhost = await db.prisma.vhost.create({ data: { name: 'v1' } });
    await db.prisma.queue.create({ data: { vhostId: vhost.id, name: 'q' } });
    await expect(db.prisma.queue.create({ data: { vhostId: vhost.id, name: 'q' } })).rejects.toThrow(/Unique constraint/);
    await db.prisma.vhost.delete({ where: { id: vhost.id } });
    expect(await db.prisma.queue.count()).toBe(0);
  });

  it('runs in WAL mode with synchronous=NORMAL and foreign keys on', async () => {
    const db = await open();
    const pragma = async (name: string) => Object.values((await db.prisma.$queryRawUnsafe<object[]>(`PRAGMA ${name}`))[0]!)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(Number(await pragma('synchronous'))).toBe(1);
    expect(Number(await pragma('foreign_keys'))).toBe(1);
  });

  it('keeps its data across a restart and applies no migration twice', async () => {
    const first = await open();
    await first.prisma.vhost.create({ data: { name: 'kept' } });
    const recorded = await count(first, 'SELECT COUNT(*) AS n FROM _prisma_migrations');
    await first.close();
    logLines = [];

    const second = await open();
    expect(second.appliedMigrations).toEqual([]);
    expect(logLines).toEqual([expect.stringContaining('up to date, no migration applied')]);
    expect(await count(second, 'SELECT COUNT(*) AS n FROM _prisma_migrations')).toBe(recorded);
    expect((await second.prisma.vhost.findMany()).map((v) => v.name)).toEqual(['kept']);
  });

  it('opens the SQLite file named by a file: DATABASE_URL', async () => {
    const db = await open({ databaseUrl: `file:${join(temp.dir, 'elsewhere', 'meta.db')}` });
    expect(logLines.at(-1)).toContain(join(temp.dir, 'elsewhere', 'meta.db'));
    expect(await db.prisma.vhost.count()).toBe(0);
  });

  it('fails with one line naming the setting when the data directory cannot be created', async () => {
    const blocker = join(temp.dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const error = await openMetadataDb({ dataDir: join(blocker, 'data') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataDbError);
    expect((error as Error).message).toMatch(/^cannot create .* \(WARREN_DATA_DIR or DATABASE_URL\): /);
    expect((error as Error).message).not.toContain('\n');
  });

  it('fails with one line naming DATABASE_URL for an unsupported URL', async () => {
    await expect(open({ databaseUrl: 'mysql://root@localhost/warren' })).rejects.toThrow(/^DATABASE_URL must start with file:, postgresql: or postgres:/);
  });
});
