/**
 * `npm run db:migrate -- --name <name>`: one new migration folder, with the same
 * name, for each provider whose schema changed. Nothing is applied to any real
 * database: SQLite replays the history in memory (a scratch file serves as the
 * engine's main connection); PostgreSQL replays it in a temporary shadow
 * database created through `postgresUrl`, whose role needs CREATEDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDbTarget, type DbProvider, type DbTarget } from './database-url';
import { diffSchemaFromHistory, migrationFolderName, writeMigration } from './migrate';
import { PRISMA_DIR, assertSchemasAgree, prismaFiles } from './schema-files';

/** Per provider: the migration file written, 'unchanged', or 'skipped' (no PostgreSQL given). */
export type CreatedMigrations = Record<DbProvider, string | 'unchanged' | 'skipped'>;

export async function createMigrations(options: { name: string; postgresUrl?: string; prismaDir?: string; now?: Date }): Promise<CreatedMigrations> {
  const prismaDir = options.prismaDir ?? PRISMA_DIR;
  assertSchemasAgree(prismaDir);
  const folder = migrationFolderName(options.name, options.now);
  const write = async (target: DbTarget) => {
    const files = prismaFiles(target.provider, prismaDir);
    const sql = await diffSchemaFromHistory(target, files);
    return sql === null ? 'unchanged' : writeMigration(files, folder, sql);
  };

  const scratchDir = mkdtempSync(join(tmpdir(), 'warren-migrate-'));
  let sqlite: string;
  try {
    sqlite = await write(resolveDbTarget(`file:${join(scratchDir, 'scratch.db')}`, scratchDir));
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  const postgresql = options.postgresUrl ? await write(resolveDbTarget(options.postgresUrl, scratchDir)) : 'skipped';
  return { sqlite, postgresql };
}
