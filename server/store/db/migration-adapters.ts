/**
 * Driver adapters for the wasm schema engine (migrations only; the Prisma
 * client uses the adapters unchanged). They work around three defects of the
 * 7.10.0 adapters, found on SQLite and PostgreSQL 15:
 *
 * 1. The engine sends a whole multi-statement migration to `executeRaw`, which
 *    better-sqlite3 refuses: such scripts are routed to `executeScript`.
 * 2. adapter-pg refuses columns of PostgreSQL's one-byte `"char"` type (e.g.
 *    `pg_constraint.contype` in the engine's introspection query): the pool
 *    presents them as text, which is what pg returns for them anyway.
 * 3. adapter-pg drops its temporary shadow database while still connected to it,
 *    which fails and leaves the database behind: we disconnect, then drop.
 * Besides, freeing the engine does not close the connections it opened, and on
 * SQLite the engine takes `locking_mode=EXCLUSIVE`, so an open connection locks
 * out everyone else: the factories keep track of their connections and
 * `closeAll` closes what the engine left open.
 */
import { randomUUID } from 'node:crypto';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PG_CONNECT_TIMEOUT_MS } from './client';
import type { DbTarget } from './database-url';

export interface MigrationConnections {
  factory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory;
  /** Closes every connection the factory opened that is still open. */
  closeAll(): Promise<void>;
}

export function migrationConnections(target: DbTarget): MigrationConnections {
  const open = new OpenConnections();
  const factory = target.provider === 'sqlite' ? new SqliteMigrationFactory(target.url, open) : new PgMigrationFactory(target.url, open);
  return { factory: bindMigrationAwareSqlAdapterFactory(factory), closeAll: () => open.closeAll() };
}

class OpenConnections {
  private readonly open = new Set<SqlDriverAdapter>();

  /** Makes `dispose` idempotent and remembers the adapter until it is disposed. */
  track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    const dispose = adapter.dispose.bind(adapter);
    let disposing: Promise<void> | undefined;
    adapter.dispose = () => {
      this.open.delete(adapter);
      disposing ??= dispose();
      return disposing;
    };
    this.open.add(adapter);
    return adapter;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((adapter) => adapter.dispose()));
  }
}

class SqliteMigrationFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'sqlite';
  readonly adapterName: string;
  private readonly inner: PrismaBetterSqlite3;

  constructor(
    url: string,
    private readonly open: OpenConnections,
  ) {
    this.inner = new PrismaBetterSqlite3({ url });
    this.adapterName = this.inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.open.track(routeScriptsToExecuteScript(await this.inner.connect()));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.open.track(routeScriptsToExecuteScript(await this.inner.connectToShadowDb()));
  }
}

/** Defect 1: a parameterless text with more than one statement is a script. */
function routeScriptsToExecuteScript(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query: SqlQuery) => {
    if (query.args.length === 0 && isMultiStatement(query.sql)) {
      await adapter.executeScript(query.sql);
      return 0;
    }
    return executeRaw(query);
  };
  return adapter;
}

function isMultiStatement(sql: string): boolean {
  return sql.trim().replace(/;\s*$/, '').includes(';');
}

/** The OID of PostgreSQL's one-byte internal `"char"` type, and of `text`. */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Defect 2: a pool whose results describe `"char"` columns as `text`. */
class CharAsTextPool extends pg.Pool {
  // pg.Pool#query has many overloads; the adapter uses the promise form.
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.then((res: pg.QueryResult) => {
        for (const field of res?.fields ?? []) {
          if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
        }
        return res;
      }) as never;
    }
    return result as never;
  }
}

class PgMigrationFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';

  constructor(
    private readonly url: string,
    private readonly open: OpenConnections,
  ) {}

  /** Each connection gets its own pool, ended when it is disposed of. */
  async connect(): Promise<SqlDriverAdapter> {
    return this.open.track(await connectPool(this.url));
  }

  /**
   * Defect 3: the shadow database is dropped only after its pool has ended.
   * The connection that creates and drops it belongs to the shadow connection.
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const main = await connectPool(this.url);
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${database}`;
    const shadow = await connectPool(shadowUrl.toString());
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      try {
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      } finally {
        await main.dispose();
      }
    };
    return this.open.track(shadow);
  }
}

function connectPool(connectionString: string): Promise<SqlDriverAdapter> {
  const pool = new CharAsTextPool({ connectionString, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS });
  return new PrismaPg(pool, { disposeExternalPool: true }).connect();
}
