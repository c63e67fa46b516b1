// What message journeys cost: E1 (the engine alone) and W1 (amqplib against
// Warren in its own process) run with tracing off and on, in pairs taken
// one after the other (off, on, off, on, …) so that other work on a shared
// machine slows both alike; the median of each side and their ratio.
// Off must be the engine as it runs untraced (ratio ≈ 1 between off runs);
// on traces every message (E1: its queue; W1: the whole vhost).
// Run: npx tsx bench/journey-cost.ts [--pairs 3]   (prints a markdown table and one JSON line)

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberFlag } from './flags';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pairs = numberFlag('pairs', 3);

/** Runs a bench script with `--trace <trace>` and returns its JSON line. */
function run(script: string, trace: 'off' | 'on'): Record<string, unknown> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', script), '--trace', trace], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{')) throw new Error(`${script} --trace ${trace} failed (${result.status}): ${result.stdout}`);
  return JSON.parse(line) as Record<string, unknown>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const FIGURES: [string, string, string][] = [
  ['E1', 'e1-engine.ts', 'msgPerSecMedian'],
  ['E1', 'e1-engine.ts', 'msgPerSecMedianAckEvery50'],
  ['E1', 'e1-engine.ts', 'bytesPerQueuedMessageBeyondBody'],
  ['W1', 'amqp-w1.ts', 'rate'],
  ['W1', 'amqp-w1.ts', 'p99Ms'],
];

const samples = new Map<string, { off: number[]; on: number[] }>();
for (const script of ['e1-engine.ts', 'amqp-w1.ts']) {
  for (let pair = 0; pair < pairs; pair++) {
    for (const trace of ['off', 'on'] as const) {
      const figures = run(script, trace);
      for (const [, file, key] of FIGURES) {
        if (file !== script) continue;
        const entry = samples.get(`${file}:${key}`) ?? { off: [], on: [] };
        entry[trace].push(Number(figures[key]));
        samples.set(`${file}:${key}`, entry);
      }
      console.error(`${script} --trace ${trace} (pair ${pair + 1}/${pairs}) done`);
    }
  }
}

const rows = FIGURES.map(([workload, file, key]) => {
  const { off, on } = samples.get(`${file}:${key}`)!;
  return { workload, figure: key, off: median(off), on: median(on), ratio: Number((median(on) / median(off)).toFixed(3)), offRuns: off, onRuns: on };
});
console.log(
  ['| workload | figure | tracing off (median) | tracing on (median) | on / off |', '| --- | --- | --- | --- | --- |']
    .concat(rows.map((r) => `| ${r.workload} | ${r.figure} | ${r.off} | ${r.on} | ${r.ratio} |`))
    .join('\n'),
);
console.log(JSON.stringify({ date: new Date().toISOString(), pairs, rows }));
