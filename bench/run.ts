// `npm run bench`: runs every benchmark of docs/benchmarks.md one after the other
// (each in its own process, so they don't disturb each other) and writes
// bench/results/latest.json and bench/results/latest.md.
// Run some: npm run bench -- W7 E1   (ids as in the table below). A partial
// run writes bench/results/partial/<ids>.{json,md} (not committed) and leaves
// latest.* as the last full run wrote them.
// npm run bench -- --quick: only the workloads with a quick form (short runs,
// fewer pairs), in under 3 minutes; written as a partial run named "quick".

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const WORKLOADS: { id: string; what: string; script: string; args?: string[]; quick?: boolean }[] = [
  { id: 'E1', what: 'engine alone, in process: publish→route→deliver→ack', script: 'bench/e1-engine.ts' },
  { id: 'W1-W4', what: 'AMQP with amqplib against RabbitMQ: transient, persistent + confirms, fan-out, topic', script: 'bench/amqp-compare.ts', args: ['2'] },
  {
    id: 'W1x-W10',
    what: 'load generator (C on librabbitmq) against RabbitMQ: W1x/W2x at 1, 10, 100 pairs, W8 many quiet queues + a hot one, W10 latency at 10/50/90% load',
    script: 'bench/load-compare.ts',
    quick: true,
  },
  { id: 'W5', what: 'stream: append 1M messages with confirms, read back from offset 0', script: 'bench/stream-w5.ts' },
  { id: 'W6', what: 'backlog of persistent messages, restart: recovery time, memory per message', script: 'bench/durability-w2-w6.ts' },
  { id: 'W7', what: '10,000 queues and 1,000 idle connections: memory, console queue list', script: 'bench/w7-scale.ts' },
  { id: 'journal', what: 'message journal alone: confirmed appends, recovery of 1M messages', script: 'bench/journal-throughput.ts' },
  { id: 'retry', what: '100,000 messages failing through three retry tiers', script: 'bench/retry-tiers.ts' },
  { id: 'hold', what: '3,000 connections and 10,000 durable queues opened and held: round trip p50/p99/max meanwhile', script: 'bench/hold-scale.ts' },
  { id: 'scheduled', what: '1,000,000 scheduled messages: bytes per message, wake-ups, first page by due time', script: 'bench/scheduled-scale.ts' },
  { id: 'search', what: 'search of a queue of 1,000,000 messages: time, slices, longest event-loop gap', script: 'bench/search-scale.ts' },
];

/** The JSON a benchmark printed last: one line, or a pretty-printed object at the end. */
function lastJson(stdout: string): unknown[] {
  const found: unknown[] = [];
  const lines = stdout.trimEnd().split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('{') && line.endsWith('}')) {
      try {
        found.push(JSON.parse(line));
        continue;
      } catch {
        // not a one-line object; maybe the start of a pretty-printed one
      }
    }
    if (line === '{') {
      const end = lines.indexOf('}', i);
      if (end > i) {
        try {
          found.push(JSON.parse(lines.slice(i, end + 1).join('\n')));
          i = end;
        } catch {
          // not JSON
        }
      }
    }
  }
  return found;
}

const quick = process.argv.includes('--quick');
const only = process.argv.slice(2).filter((a) => a !== '--quick');
const unknown = only.filter((id) => !WORKLOADS.some((w) => w.id === id));
if (unknown.length > 0) {
  console.error(`bench: no workload ${unknown.join(', ')}; choose from ${WORKLOADS.map((w) => w.id).join(', ')}`);
  process.exit(2);
}
const selected = WORKLOADS.filter((w) => (only.length === 0 ? !quick || w.quick : only.includes(w.id)));
const fullRun = selected.length === WORKLOADS.length && !quick;
const outDir = fullRun ? path.join(root, 'bench', 'results') : path.join(root, 'bench', 'results', 'partial');
const results: Record<string, { what: string; ok: boolean; seconds: number; figures: unknown[]; note?: string; table?: string }> = {};

for (const w of selected) {
  if (!fs.existsSync(path.join(root, w.script))) {
    results[w.id] = { what: w.what, ok: false, seconds: 0, figures: [], note: `${w.script} does not exist yet: this workload cannot be run.` };
    continue;
  }
  console.error(`\n=== ${w.id}: ${w.what}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', w.script, ...(w.args ?? []), ...(quick && w.quick ? ['--quick'] : [])], {
    cwd: root,
    // Where a benchmark writes its charts (under charts/), beside the markdown that links them.
    env: { ...process.env, BENCH_RESULTS_DIR: outDir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (Date.now() - started) / 1000;
  const figures = lastJson(r.stdout ?? '');
  const out = (r.stdout ?? '').split('\n');
  // Markdown tables, then image links to charts (each a paragraph of its own).
  const table = [out.filter((l) => l.startsWith('|')).join('\n'), ...out.filter((l) => l.startsWith('!['))].filter(Boolean).join('\n\n');
  results[w.id] = {
    what: w.what,
    ok: r.status === 0,
    seconds,
    figures,
    table: table || undefined,
    note: r.status === 0 ? undefined : `exited with ${r.status}`,
  };
  process.stdout.write(r.stdout ?? '');
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  loadAverage: os.loadavg(),
};
const baseName = fullRun ? 'latest' : quick && only.length === 0 ? 'quick' : selected.map((w) => w.id).join('+');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, `${baseName}.json`), JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2) + '\n');

const md = [
  `# Benchmark results`,
  '',
  `${new Date().toISOString()} · ${machine.cpus} cores (${machine.cpuModel}) · ${machine.memoryGiB} GiB · Node ${machine.node} · load ${machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}`,
  '',
];
for (const [id, r] of Object.entries(results)) {
  md.push(`## ${id}: ${r.what}`, '');
  if (r.note) md.push(`**${r.note}**`, '');
  if (r.table) md.push(r.table, '');
  for (const f of r.figures) md.push('```json', JSON.stringify(f, null, 2), '```', '');
}
fs.writeFileSync(path.join(outDir, `${baseName}.md`), md.join('\n'));
const written = path.relative(root, path.join(outDir, baseName));
console.error(`\nWrote ${written}.json and ${written}.md${fullRun ? '' : ' (a partial run: bench/results/latest.* are left as the last full run wrote them)'}`);
