import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS, assertSchemasAgree, migrationNames, modelDefinitions, prismaFiles, readSchema } from '../../server/store/db/schema-files';
import { copyPrismaDir, makeTempDir } from './helpers';

const sqlite = prismaFiles('sqlite');
const postgresql = prismaFiles('postgresql');
const withoutTimestamp = (name: string) => name.replace(/^\d{14}_/, '');

describe('the SQLite and PostgreSQL schemas', () => {
  it('define the same models', () => {
    expect(modelDefinitions(readSchema(sqlite).content)).toBe(modelDefinitions(readSchema(postgresql).content));
    expect(modelDefinitions(readSchema(sqlite).content)).toContain('model AuditEntry {');
    expect(() => assertSchemasAgree()).not.toThrow();
  });

  it('differ only in provider and generator output', () => {
    const schema = readSchema(postgresql).content;
    expect(schema).toMatch(/provider\s*=\s*"postgresql"/);
    expect(schema).toContain('generated/postgresql');
    expect(readSchema(sqlite).content).toMatch(/provider\s*=\s*"sqlite"/);
  });

  it('have the same migrations, in the same order', () => {
    const names = migrationNames(sqlite);
    expect(names.length).toBeGreaterThan(0);
    expect(migrationNames(postgresql).map(withoutTimestamp)).toEqual(names.map(withoutTimestamp));
  });

  it('each have a lock file naming their provider', () => {
    for (const provider of PROVIDERS) {
      const lock = readFileSync(join(prismaFiles(provider).migrationsDir, 'migration_lock.toml'), 'utf8');
      expect(lock).toContain(`provider = "${provider}"`);
    }
  });
});

describe('the drift check', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.remove());

  it('rejects a model changed in one schema only', () => {
    const prismaDir = copyPrismaDir(temp.dir);
    const file = join(prismaDir, 'postgresql', 'schema.prisma');
    writeFileSync(file, readFileSync(file, 'utf8').replace('model Policy {', 'model Policy {\n  note String?'));
    expect(() => assertSchemasAgree(prismaDir)).toThrow(/define different models/);
  });

  it('ignores comments and the generator and datasource blocks', () => {
    const prismaDir = copyPrismaDir(temp.dir);
    const file = join(prismaDir, 'sqlite', 'schema.prisma');
    writeFileSync(file, `// a note for SQLite only\n${readFileSync(file, 'utf8')}`);
    expect(() => assertSchemasAgree(prismaDir)).not.toThrow();
  });
});
