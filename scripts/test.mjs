// `npm test`: type-check, lint and format check (Biome), unit and integration tests (Vitest), then the
// console's end-to-end stories in headless Chromium (Playwright).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuild } from './ensure-build.mjs';

const CHROMIUM = '/usr/bin/chromium';
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-test-'));
const VITEST_JSON = path.join(reports, 'vitest.json');
const PLAYWRIGHT_JSON = path.join(reports, 'playwright.json');

/** Counts from the runners' JSON reports, for one closing line over both. */
function summary() {
  const v = JSON.parse(fs.readFileSync(VITEST_JSON, 'utf8'));
  const p = JSON.parse(fs.readFileSync(PLAYWRIGHT_JSON, 'utf8')).stats;
  const passed = v.numPassedTests + p.expected + p.flaky;
  const failed = v.numFailedTests + p.unexpected;
  const skipped = v.numPendingTests + v.numTodoTests + p.skipped;
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

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
run('lint and format (Biome)', 'npx', ['biome', 'check', '.']);
run('unit and integration tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`]);
ensureChromium();
ensureBuild();
run('end-to-end stories', 'npx', ['playwright', 'test', '--reporter=list,json'], {
  NEXT_TELEMETRY_DISABLED: '1',
  PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON,
});
console.log(`\nTotal: ${summary()}`);
