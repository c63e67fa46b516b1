import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigrations } from '../../server/store/db/create-migration';
import { openMetadataDb } from '../../server/store/db/index';
import { migrationNames, prismaFiles } from '../../server/store/db/schema-files';
import { addFieldToBothSchemas, copyPrismaDir, makeTempDir } from './helpers';

const NOW = new Date('2030-01-02T03:04:05Z');

describe('creating a migration from a schema change (SQLite)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let prismaDir: string;
  beforeEach(() => {
    temp = makeTempDir();
    prismaDir = copyPrismaDir(temp.dir);
  });
  afterEach(() => temp.remove());

  it('writes the SQL for the change, which the next open applies, and nothing twice', async () => {
    const dataDir = join(temp.dir, 'data');
    const before = await openMetadataDb({ dataDir, prismaDir });
    await before.prisma.queue.create({ data: { vhost: { create: { name: '/' } }, name: 'kept' } });
    await before.close();

    addFieldToBothSchemas(prismaDir, 'Queue', 'description String @default("")');
    const created = await createMigrations({ name: 'Queue description', prismaDir, now: NOW });
    expect(created.postgresql).toBe('skipped');
    expect(created.sqlite).toBe(join(prismaDir, 'sqlite', 'migrations', '20300102030405_queue_description', 'migration.sql'));
    // SQLite adds such a column by rebuilding the table: a multi-statement script with PRAGMAs.
    const sql = readFileSync(created.sqlite, 'utf8');
    expect(sql).toContain('CREATE TABLE "new_Queue"');
    expect(sql).toContain(`"description" TEXT NOT NULL DEFAULT ''`);

    // Replaying two multi-statement migrations on the shadow database: nothing left to create.
    expect((await createMigrations({ name: 'again', prismaDir, now: NOW })).sqlite).toBe('unchanged');

    const lines: string[] = [];
    const after = await openMetadataDb({ dataDir, prismaDir, log: (line) => lines.push(line) });
    try {
      expect(after.appliedMigrations).toEqual(['20300102030405_queue_description']);
      expect(lines[0]).toContain('applied 1 migration(s): 20300102030405_queue_description');
      const columns = await after.prisma.$queryRawUnsafe<{ name: string }[]>('PRAGMA table_info("Queue")');
      expect(columns.map((c) => c.name)).toContain('description');
      expect((await after.prisma.queue.findMany()).map((q) => q.name)).toEqual(['kept']);
    } finally {
      await after.close();
    }
    expect(migrationNames(prismaFiles('sqlite', prismaDir))).toHaveLength(migrationNames(prismaFiles('sqlite')).length + 1);
  });

  it('cannot migrate a SQLite file another process holds open, and says so in one line', async () => {
    const dataDir = join(temp.dir, 'data');
    const holder = await openMetadataDb({ dataDir });
    try {
      await holder.prisma.vhost.count();
      addFieldToBothSchemas(prismaDir, 'Vhost', 'note String?');
      await createMigrations({ name: 'vhost note', prismaDir });
      const error = await openMetadataDb({ dataDir, prismaDir }).then(
        () => new Error('opened'),
        (e: unknown) => e as Error,
      );
      expect(error.message).toBe('migrating the metadata database failed: the database is locked by another connection (is another Warren process using it?)');
    } finally {
      await holder.close();
    }
    const upgraded = await openMetadataDb({ dataDir, prismaDir });
    expect(upgraded.appliedMigrations).toHaveLength(1);
    await upgraded.close();
  });

  it('refuses when the two schemas no longer define the same models', async () => {
    const file = join(prismaDir, 'sqlite', 'schema.prisma');
    writeFileSync(file, readFileSync(file, 'utf8').replace('model Policy {', 'model Policy {\n  note String?'));
    await expect(createMigrations({ name: 'note', prismaDir })).rejects.toThrow(/define different models/);
    expect(migrationNames(prismaFiles('sqlite', prismaDir))).toEqual(migrationNames(prismaFiles('sqlite')));
  });
});
