// `npm test`: type-check, unit and integration tests (Vitest), then the
// console's end-to-end stories in headless Chromium (Playwright).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { ensureBuild } from './ensure-build.mjs';

const CHROMIUM = '/usr/bin/chromium';

function run(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\nnpm test: ${title} failed.`);
    process.exit(r.status ?? 1);
  }
}

function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    console.error(`npm test: Chromium is missing at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium`);
    process.exit(1);
  }
  run('install Chromium', 'sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium']);
}

run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
run('unit and integration tests', 'npx', ['vitest', 'run']);
ensureChromium();
ensureBuild();
run('end-to-end stories', 'npx', ['playwright', 'test'], { NEXT_TELEMETRY_DISABLED: '1' });
