// Generates the Prisma clients of both metadata-database schemas into
// server/store/db/generated/<provider>/ (git-ignored). Run by `npm install`
// (postinstall) and `npm run db:generate`.
//
// Prisma's CLI first tries to download its native schema engine, which is not
// reachable here; generation itself only needs the bundled wasm parser, so the
// engine path points at an existing placeholder file that is never run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = ['/bin/false', '/usr/bin/false'].find((file) => existsSync(file)) ?? process.execPath;
}

for (const provider of ['sqlite', 'postgresql']) {
  const schema = join('prisma', provider, 'schema.prisma');
  const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schema], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    console.error(`prisma generate failed for ${schema}`);
    process.exit(result.status ?? 1);
  }
  console.log(`generated the ${provider} Prisma client`);
}
