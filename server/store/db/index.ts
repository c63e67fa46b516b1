/**
 * The metadata database: topology, users, permissions, policies and the audit
 * log, through Prisma. SQLite file `<dataDir>/warren.db` by default, PostgreSQL
 * when DATABASE_URL says so. Opening it applies pending migrations, so a fresh
 * data directory needs no manual step and a restart applies nothing twice.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createPrismaClient, type MetadataClient } from './client';
import { describeTarget, redactUrl, resolveDbTarget, type DbProvider, type DbTarget } from './database-url';
import { MetadataDbError, describeCause } from './errors';
import { appliedMigrationNames, applyMigrations, pendingMigrationNames } from './migrate';
import { prismaFiles } from './schema-files';

export type { MetadataClient } from './client';
export type { DbProvider } from './database-url';
export { MetadataDbError } from './errors';

export interface MetadataDbOptions {
  /** DATABASE_URL: `file:<path>`, `postgresql://...` or `postgres://...`; unset means SQLite in dataDir. */
  databaseUrl?: string;
  /** Directory of the default SQLite file, created when missing. */
  dataDir: string;
  log?: (line: string) => void;
  /** The prisma/ folder with the schemas and migrations; the repository's by default. */
  prismaDir?: string;
  /** PostgreSQL's application_name for the client's connections: in cluster mode the node's name, which the change feed records. */
  applicationName?: string;
}

export interface MetadataDb {
  prisma: MetadataClient;
  provider: DbProvider;
  /** Names of the migrations this open applied (empty when the schema was up to date). */
  appliedMigrations: string[];
  close(): Promise<void>;
}

export async function openMetadataDb(options: MetadataDbOptions): Promise<MetadataDb> {
  const log = options.log ?? (() => {});
  const target = resolveDbTarget(options.databaseUrl, options.dataDir);
  if (target.provider === 'sqlite') ensureDirectory(dirname(target.file));
  // Comparing folder names with _prisma_migrations is cheap; the wasm engine
  // is loaded only when there is something to apply.
  const files = prismaFiles(target.provider, options.prismaDir);
  const pending = pendingMigrationNames(files, await firstContact(target, () => appliedMigrationNames(target)));
  const appliedMigrations = pending.length === 0 ? [] : await applyMigrations(target, files);
  log(
    appliedMigrations.length === 0
      ? `metadata database: ${describeTarget(target)}, up to date, no migration applied`
      : `metadata database: ${describeTarget(target)}, applied ${appliedMigrations.length} migration(s): ${appliedMigrations.join(', ')}`,
  );
  const prisma = await createPrismaClient(target, options.applicationName);
  return { prisma, provider: target.provider, appliedMigrations, close: () => prisma.$disconnect() };
}

/** The first query of an open: a database that cannot be reached fails here, in one line. */
async function firstContact<T>(target: DbTarget, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const where = target.provider === 'sqlite' ? target.file : redactUrl(target.url);
    throw new MetadataDbError(`cannot open the metadata database ${where} (DATABASE_URL): ${describeCause(error)}`);
  }
}

function ensureDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new MetadataDbError(`cannot create ${dir} for the metadata database (WARREN_DATA_DIR or DATABASE_URL): ${describeCause(error)}`);
  }
}
