// Where Warren spends its CPU at W1 saturation: Warren in its own process
// under `node --cpu-prof`, the load generator's W1x at one pair flat out
// (bench/load-compare.ts's flow), then the functions with the most self time
// in the profile Node writes at exit.
// Run: npx tsx bench/profile-w1.ts [--seconds 5] [--pairs 1] [--top 25]
// Prints the run's figures, the top functions (self time, % of samples, where)
// and the .cpuprofile's path (open it in Chrome's DevTools for the tree).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWarren } from './amqp-peers';
import { numberFlag } from './flags';
import { loadClient } from './load/client';
import { runLoad } from './load/generator';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const seconds = numberFlag('seconds', 5);
const pairs = numberFlag('pairs', 1);
const top = numberFlag('top', 25);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-profile-'));
const warren = await startWarren([], ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
const processes = Math.min(2, pairs);
const side = { processes, connections: Math.ceil(pairs / processes) };
let result: Awaited<ReturnType<typeof runLoad>>;
try {
  result = await runLoad(warren, loadClient(), [{ label: 'w1x', prefix: 'w1x-', queues: pairs, publishers: side, consumers: side }], { seconds });
} finally {
  await warren.stop();
}
const f = result.flows[0]!;
console.log(`W1x ${pairs} pair(s), ${seconds} s: ${f.msgPerSec} msg/s, broker CPU ${result.brokerCpuPercent}%, ${result.verdict} (client ${result.client})`);

const file = fs.readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
if (!file) throw new Error(`Warren wrote no .cpuprofile into ${dir}: did it exit through SIGTERM?`);
const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
const self = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  // tsx's transpiled modules report line 0 for every function: the file alone is said then.
  const where = url ? `${path.relative(process.cwd(), url.replace(/^file:\/\//, ''))}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
}
console.log(`\nself time, ${total} samples:`);
for (const [name, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
console.log(`\nprofile: ${path.join(dir, file)}`);
