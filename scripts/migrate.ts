/**
 * Metadata-database migrations, through the wasm schema engine (Prisma's CLI
 * cannot download its native engine here).
 *
 *   npm run db:migrate -- --name <name>
 *     After changing BOTH prisma/sqlite/schema.prisma and
 *     prisma/postgresql/schema.prisma the same way: writes
 *     prisma/<provider>/migrations/<timestamp>_<name>/migration.sql for each
 *     provider. PostgreSQL's needs a server to replay the history on a temporary
 *     database: TEST_DATABASE_URL or DATABASE_URL (scripts/start-test-postgres.sh
 *     prints one). Without it, only SQLite's is written, the command says so and
 *     exits with status 1.
 *
 *   npm run db:migrate
 *     Applies pending migrations to DATABASE_URL, or to <WARREN_DATA_DIR>/warren.db
 *     (default ./data), as the server does at start.
 */
import { parseArgs } from 'node:util';
import { createMigrations } from '../server/store/db/create-migration';
import { openMetadataDb } from '../server/store/db/index';

async function create(name: string): Promise<void> {
  const postgresUrl = [process.env.TEST_DATABASE_URL, process.env.DATABASE_URL].find((url) => /^postgres(ql)?:/.test(url ?? ''));
  const created = await createMigrations({ name, postgresUrl });
  for (const [provider, result] of Object.entries(created)) {
    if (result === 'unchanged') console.log(`${provider}: the schema matches the migrations, nothing to create`);
    else if (result !== 'skipped') console.log(`${provider}: wrote ${result}`);
  }
  if (created.postgresql === 'skipped') {
    console.error(
      'postgresql: SKIPPED, no migration created or checked: set TEST_DATABASE_URL (or DATABASE_URL) to a postgresql:// URL whose role ' +
        'may CREATE DATABASE, e.g. export TEST_DATABASE_URL="$(scripts/start-test-postgres.sh)", then run this again',
    );
    process.exitCode = 1;
  }
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
  await (values.name !== undefined ? create(values.name) : applyPending());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
