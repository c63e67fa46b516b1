/**
 * Builds the Prisma client for a target, over its driver adapter (no native
 * engine at run time). Both generated clients come from schemas with the same
 * models (test/db/schema-files.test.ts keeps them so), hence the same model API:
 * the rest of the server uses the SQLite client's type for either, and the
 * PostgreSQL client is cast to it here, in this one place.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client';
import type { DbTarget } from './database-url';
import { MetadataDbError, describeCause } from './errors';

/** The metadata database client, whichever the provider. */
export type MetadataClient = SqlitePrismaClient;

/** Milliseconds to wait for a PostgreSQL connection before reporting it unreachable. */
export const PG_CONNECT_TIMEOUT_MS = 5_000;

export async function createPrismaClient(target: DbTarget, applicationName?: string): Promise<MetadataClient> {
  const adapter = driverAdapterFactory(target, applicationName);
  if (target.provider === 'sqlite') {
    const { PrismaClient } = await importGenerated(() => import('./generated/sqlite/client'));
    return new PrismaClient({ adapter });
  }
  const { PrismaClient } = await importGenerated(() => import('./generated/postgresql/client'));
  return new PrismaClient({ adapter }) as unknown as MetadataClient;
}

/** The driver adapter the client uses, also used for short checks before it exists. */
export function driverAdapterFactory(target: DbTarget, applicationName?: string): SqlDriverAdapterFactory {
  if (target.provider === 'sqlite') return new TunedSqliteFactory(target.url);
  return new PrismaPg({ connectionString: target.url, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, application_name: applicationName });
}

/**
 * better-sqlite3 with Warren's settings, applied to each connection as it opens:
 * write-ahead log with synchronous=NORMAL (fast commits, durable at checkpoints;
 * the message path does not use this database), and foreign keys on, which
 * SQLite leaves off per connection and the schema's cascades rely on.
 */
class TunedSqliteFactory implements SqlDriverAdapterFactory {
  readonly provider = 'sqlite';
  readonly adapterName: string;
  private readonly inner: PrismaBetterSqlite3;

  constructor(url: string) {
    this.inner = new PrismaBetterSqlite3({ url });
    this.adapterName = this.inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.inner.connect();
    await adapter.executeScript('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    return adapter;
  }
}

async function importGenerated<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new MetadataDbError(`the Prisma client is not generated (run: npm run db:generate): ${describeCause(error)}`);
  }
}
