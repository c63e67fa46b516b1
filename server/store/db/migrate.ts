/**
 * Creating and applying migrations through the wasm schema engine. Applied
 * migrations are recorded in `_prisma_migrations` exactly as `prisma migrate`
 * records them, so the same folders also work with the ordinary CLI elsewhere.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { driverAdapterFactory } from './client';
import type { DbProvider, DbTarget } from './database-url';
import { MetadataDbError } from './errors';
import { migrationConnections } from './migration-adapters';
import { describeEngineError, openSchemaEngine, type SchemaEngine } from './schema-engine';
import { LOCK_FILE, MIGRATION_FILE, lockFileContent, migrationNames, readMigrationList, readSchema, type PrismaFiles } from './schema-files';

const NO_FILTER = { externalTables: [], externalEnums: [] };

/**
 * Names of the migrations recorded as finished (and not rolled back) in
 * `_prisma_migrations`; empty when the table or the SQLite file does not exist
 * yet. Uses a short-lived connection of its own: on SQLite the schema engine
 * needs the database to itself.
 */
export async function appliedMigrationNames(target: DbTarget): Promise<string[]> {
  if (target.provider === 'sqlite' && !existsSync(target.file)) return [];
  const adapter = await driverAdapterFactory(target).connect();
  const query = async (sql: string): Promise<unknown[][]> => (await adapter.queryRaw({ sql, args: [], argTypes: [] })).rows;
  try {
    return await readAppliedNames(target.provider, query);
  } finally {
    await adapter.dispose();
  }
}

async function readAppliedNames(provider: DbProvider, query: (sql: string) => Promise<unknown[][]>): Promise<string[]> {
  const tableExists =
    provider === 'sqlite'
      ? "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'"
      : "SELECT 1 AS present FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'";
  if ((await query(tableExists)).length === 0) return [];
  const rows = await query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
  return rows.map((row) => String(row[0]));
}

/** Migration folders not yet recorded as applied, oldest first. */
export function pendingMigrationNames(files: PrismaFiles, applied: readonly string[]): string[] {
  const done = new Set(applied);
  return migrationNames(files).filter((name) => !done.has(name));
}

async function withEngine<T>(target: DbTarget, files: PrismaFiles, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const connections = migrationConnections(target);
  try {
    const engine = await openSchemaEngine(readSchema(files), connections.factory);
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } catch (error) {
    throw new MetadataDbError(`migrating the metadata database failed: ${describeEngineError(error, connections.factory.errorRegistry)}`);
  } finally {
    await connections.closeAll();
  }
}

/** Applies every migration folder of `files` not yet applied; returns the names applied now. */
export function applyMigrations(target: DbTarget, files: PrismaFiles): Promise<string[]> {
  return withEngine(target, files, async (engine) => {
    const { appliedMigrationNames: applied } = await engine.applyMigrations({
      migrationsList: readMigrationList(files),
      filters: NO_FILTER,
    });
    return applied;
  });
}

/**
 * The SQL that takes the database from the migration history to the current
 * schema, or null when there is nothing to change. The engine replays the
 * history on a temporary shadow database reached through `target`; nothing is
 * applied to `target` itself.
 */
export function diffSchemaFromHistory(target: DbTarget, files: PrismaFiles): Promise<string | null> {
  return withEngine(target, files, async (engine) => {
    const history = readMigrationList(files);
    const result = await engine.diff({
      // The engine wants a lock file with a history; with no history, start from nothing.
      from: history.migrationDirectories.length > 0 ? { tag: 'migrations', ...history } : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [readSchema(files)] },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    // With exitCode set, the engine answers 2 for a non-empty diff, as `prisma migrate diff --exit-code` does.
    return result.exitCode === 2 ? (result.stdout ?? '') : null;
  });
}

/** Writes `<migrations>/<folder>/migration.sql` (and the lock file when missing); returns its path. */
export function writeMigration(files: PrismaFiles, folder: string, sql: string): string {
  const dir = files.migrationsDir;
  mkdirSync(join(dir, folder), { recursive: true });
  const file = join(dir, folder, MIGRATION_FILE);
  writeFileSync(file, sql);
  if (!existsSync(join(dir, LOCK_FILE))) writeFileSync(join(dir, LOCK_FILE), lockFileContent(files.provider));
  return file;
}

/** A migration folder name as Prisma makes them: UTC timestamp, then the name in snake case. */
export function migrationFolderName(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw new Error(`migration name "${name}" has no letters or digits`);
  return `${stamp}_${slug}`;
}
