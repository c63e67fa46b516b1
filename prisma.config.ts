// Configuration for Prisma's own CLI (`npx prisma ...`), e.g. on a machine where
// its native schema engine is available. Warren itself migrates through
// server/store/db/migrate.ts and generates through scripts/prisma-generate.mjs,
// which pass the schema explicitly. The provider follows DATABASE_URL, as in the
// server: postgresql:/postgres: selects prisma/postgresql, anything else SQLite.
import { defineConfig } from 'prisma/config';

// env() from prisma/config throws when the variable is unset.
const url = process.env.DATABASE_URL ?? 'file:./data/warren.db';
const provider = /^postgres(ql)?:/.test(url) ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url },
});
