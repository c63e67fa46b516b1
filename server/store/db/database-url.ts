import { isAbsolute, resolve } from 'node:path';
import { MetadataDbError } from './errors';

export type DbProvider = 'sqlite' | 'postgresql';

/** Where the metadata database lives, decided from DATABASE_URL and the data directory. */
export type DbTarget = { provider: 'sqlite' /** absolute path of the database file */; file: string; url: string } | { provider: 'postgresql'; url: string };

export const DEFAULT_SQLITE_FILE = 'warren.db';

/**
 * No URL: the SQLite file `<dataDir>/warren.db`. `file:<path>`: that SQLite file
 * (a relative path is taken from the working directory). `postgresql:` or
 * `postgres:`: that PostgreSQL database. Anything else is a one-line error.
 */
export function resolveDbTarget(databaseUrl: string | undefined, dataDir: string): DbTarget {
  const url = databaseUrl?.trim();
  if (!url) {
    const file = resolve(dataDir, DEFAULT_SQLITE_FILE);
    return { provider: 'sqlite', file, url: `file:${file}` };
  }
  if (url.startsWith('file:')) {
    const path = url
      .slice('file:'.length)
      .replace(/^\/\/(?=\/)/, '')
      .split('?')[0]!; // split gives at least one part
    if (path === '' || path.includes(':memory:')) {
      throw new MetadataDbError(`DATABASE_URL must name a SQLite file (e.g. file:./data/warren.db), got "${url}"`);
    }
    const file = isAbsolute(path) ? path : resolve(path);
    return { provider: 'sqlite', file, url: `file:${file}` };
  }
  if (url.startsWith('postgresql:') || url.startsWith('postgres:')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new MetadataDbError(`DATABASE_URL is not a valid PostgreSQL URL: "${redactUrl(url)}"`);
    }
    if (!parsed.hostname || parsed.pathname.length <= 1) {
      throw new MetadataDbError(`DATABASE_URL must name a host and a database (postgresql://user:password@host:5432/db), got "${redactUrl(url)}"`);
    }
    return { provider: 'postgresql', url };
  }
  throw new MetadataDbError(`DATABASE_URL must start with file:, postgresql: or postgres:, got "${redactUrl(url)}"`);
}

/** The URL with its password replaced, fit for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** A short description of the target for logs: the file, or the URL without its password. */
export function describeTarget(target: DbTarget): string {
  return target.provider === 'sqlite' ? `SQLite ${target.file}` : `PostgreSQL ${redactUrl(target.url)}`;
}
