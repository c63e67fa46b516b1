import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PRISMA_DIR, PROVIDERS } from '../../server/store/db/schema-files';

/** A fresh temporary directory, removed by the returned cleanup. */
export function makeTempDir(prefix = 'warren-db-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of the repository's prisma/ folder under `dir`, to change schemas in. */
export function copyPrismaDir(dir: string): string {
  const copy = join(dir, 'prisma');
  cpSync(PRISMA_DIR, copy, { recursive: true });
  return copy;
}

/** Adds a field at the end of a model in both schemas of a prisma/ folder, as a developer would. */
export function addFieldToBothSchemas(prismaDir: string, model: string, field: string): void {
  for (const provider of PROVIDERS) {
    const file = join(prismaDir, provider, 'schema.prisma');
    const schema = readFileSync(file, 'utf8');
    const changed = schema.replace(new RegExp(`(model ${model} \\{\\n[\\s\\S]*?)\\n\\}`), `$1\n  ${field}\n}`);
    if (changed === schema) throw new Error(`model ${model} not found in ${file}`);
    writeFileSync(file, changed);
  }
}

export const postgresUrl = process.env.TEST_DATABASE_URL;

/** The URL of a new, empty database on the TEST_DATABASE_URL server, dropped by `drop`. */
export async function freshPostgresDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `warren_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  await adminQuery(baseUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}

/** Runs one statement on the TEST_DATABASE_URL database and returns the rows. */
export async function adminQuery(baseUrl: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
