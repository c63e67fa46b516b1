/**
 * Metadata-database migrations, through the wasm schema engine (Prisma's CLI
 * cannot download its native engine here).
 *
 *   npm run db:migrate -- --name <name>
 *     After changing BOTH prisma/sqlite/schema.prisma and
 *     prisma/postgresql/schema.prisma the same way: writes
 *     prisma/<provider>/migrations/<timestamp>_<name>/migration.sql for each
 *     provider. SQLite needs nothing; PostgreSQL needs a server to replay the
 *     history on a temporary database: TEST_DATABASE_URL or DATABASE_URL
 *     (scripts/start-test-postgres.sh prints one). Without it, only SQLite's
 *     migration is written and the command says so.
 *
 *   npm run db:migrate
 *     Applies pending migrations to DATABASE_URL, or to <WARREN_DATA_DIR>/warren.db
 *     (default ./data), as the server does at start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDbTarget, type DbTarget } from '../server/store/db/database-url';
import { openMetadataDb } from '../server/store/db/index';
import { diffSchemaFromHistory, migrationFolderName, writeMigration } from '../server/store/db/migrate';
import { assertSchemasAgree } from '../server/store/db/schema-files';

async function createMigrations(name: string): Promise<void> {
  assertSchemasAgree();
  const folder = migrationFolderName(name);

  // SQLite replays the history in memory; the scratch file is only the engine's main connection.
  const scratchDir = mkdtempSync(join(tmpdir(), 'warren-migrate-'));
  try {
    await writeIfChanged(resolveDbTarget(`file:${join(scratchDir, 'scratch.db')}`, scratchDir), folder);
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }

  const pgUrl = [process.env.TEST_DATABASE_URL, process.env.DATABASE_URL].find((url) => url && /^postgres(ql)?:/.test(url));
  if (!pgUrl) {
    console.warn(
      'PostgreSQL migration NOT created: set TEST_DATABASE_URL (or DATABASE_URL) to a postgresql:// URL whose role may ' +
        'CREATE DATABASE, e.g. export TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)", then run this command again.',
    );
    process.exitCode = 1;
    return;
  }
  await writeIfChanged(resolveDbTarget(pgUrl, '.'), folder);
}

async function writeIfChanged(target: DbTarget, folder: string): Promise<void> {
  const sql = await diffSchemaFromHistory(target);
  if (sql === null) {
    console.log(`${target.provider}: the schema matches the migrations, nothing to create`);
    return;
  }
  console.log(`${target.provider}: wrote ${writeMigration(target.provider, folder, sql)}`);
}

async function applyPending(): Promise<void> {
  const db = await openMetadataDb({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: process.env.WARREN_DATA_DIR ?? './data',
    log: (line) => console.log(line),
  });
  await db.close();
}

const { values } = parseArgs({ options: { name: { type: 'string' } } });
try {
  await (values.name !== undefined ? createMigrations(values.name) : applyPending());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
