// Workloads on the load generator (bench/load/), Warren against RabbitMQ in
// the same run, same client: W1x transient and W2x persistent + confirms at
// 1, 10 and 100 publisher/consumer pairs, W8 (1,000 quiet queues at 1 msg/s
// each beside one hot queue flat out), W9 (64 KB and 1 MB bodies: MB/s and
// the broker's largest RSS) and W10 (latency at 10%, 50% and 90% of
// the W1x maximum each broker reached at 1 pair). Every row says which client
// ran, each side's CPU and which saturated.
// Run: npx tsx bench/load-compare.ts [--quick] [--only=W8,W10]
// (--quick: 1 and 10 pairs, shorter runs; --only: those workloads alone, W10
// still measures W1x at 1 pair first, for its maximum)
// Prints markdown tables, image links to the charts and one JSON line; the
// charts go to $BENCH_RESULTS_DIR/charts (bench/run.ts sets it), else
// bench/results/partial/charts.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRabbitMq, startWarren, type RunningBroker } from './amqp-peers';
import { loadClient } from './load/client';
import { runLoad, type Flow, type LoadResult } from './load/generator';
import { barChart, type BarGroup } from './svg-chart';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : null;
const wanted = (workload: string) => only === null || only.includes(workload);
const PAIRS = quick ? [1, 10] : [1, 10, 100];
const SECONDS = quick ? 2 : 5;
const W8_QUIET_QUEUES = 1000;
const W8_SECONDS = quick ? 4 : 10;
const W10_SECONDS = quick ? 2 : 5;
const LOAD_SHARES = [0.1, 0.5, 0.9];
const CONFIRM_WINDOW = 500;
/** W9's bodies, and the confirm window that keeps about 6–10 MB in flight per publisher. */
const W9_BODIES: { label: string; bytes: number; window: number }[] = [
  { label: '64 KB', bytes: 64 * 1024, window: 100 },
  { label: '1 MB', bytes: 1024 * 1024, window: 10 },
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chartsDir = path.join(process.env.BENCH_RESULTS_DIR ?? path.join(root, 'bench', 'results', 'partial'), 'charts');

/** N pairs: N queues, N publisher and N consumer connections, over up to two processes a side. */
function pairs(label: string, n: number, extra: Partial<Flow['publishers']> = {}): Flow {
  const processes = Math.min(2, n);
  const side = { processes, connections: Math.ceil(n / processes) };
  return { label, prefix: `${label}-`, queues: n, publishers: { ...side, ...extra }, consumers: side };
}

const pairsLabel = (n: number) => (n === 1 ? '1 pair' : `${n} pairs`);

const client = loadClient();
const brokers: RunningBroker[] = [await startWarren()];
const rabbit = await startRabbitMq();
if (rabbit) brokers.push(rabbit);
const names = brokers.map((b) => b.name);

type Row = { workload: string; case: string; byBroker: Record<string, LoadResult> };
const rows: Row[] = [];

async function each(workload: string, kase: string, flows: (b: RunningBroker) => Flow[], seconds: number): Promise<Row> {
  const row: Row = { workload, case: kase, byBroker: {} };
  for (const b of brokers) {
    const r = await runLoad(b, client, flows(b), { seconds, drainSeconds: quick ? 15 : 30 });
    const f = r.flows[0]!;
    console.error(`${workload} ${kase} ${b.name}: ${f.msgPerSec} msg/s, p99 ${f.deliverMs.p99} ms, broker CPU ${r.brokerCpuPercent}%, ${r.verdict}`);
    row.byBroker[b.name] = r;
  }
  rows.push(row);
  return row;
}

try {
  for (const n of PAIRS) if (wanted('W1x') || (n === 1 && wanted('W10'))) await each('W1x', pairsLabel(n), () => [pairs('w1x', n)], SECONDS);
  for (const n of PAIRS)
    if (wanted('W2x')) await each('W2x', pairsLabel(n), () => [pairs('w2x', n, { persistent: true, confirmWindow: CONFIRM_WINDOW })], SECONDS);
  if (wanted('W8'))
    await each(
      'W8',
      `${W8_QUIET_QUEUES} quiet + 1 hot`,
      () => [
        pairs('w8hot', 1),
        {
          label: 'w8quiet',
          prefix: 'w8quiet-',
          queues: W8_QUIET_QUEUES,
          publishers: { processes: 1, connections: 10, rate: W8_QUIET_QUEUES },
          consumers: { processes: 2, connections: 10, channels: 5 },
        },
      ],
      W8_SECONDS,
    );
  for (const body of W9_BODIES)
    if (wanted('W9')) await each('W9', body.label, () => [pairs('w9', 1, { bodyBytes: body.bytes, confirmWindow: body.window })], SECONDS);
  const maxAtOnePair = rows.find((r) => r.workload === 'W1x' && r.case === pairsLabel(1));
  for (const share of LOAD_SHARES)
    if (maxAtOnePair && wanted('W10'))
      await each(
        'W10',
        `${share * 100}% of max`,
        (b) => [pairs('w10', 1, { rate: Math.round(share * maxAtOnePair.byBroker[b.name]!.flows[0]!.msgPerSec) })],
        W10_SECONDS,
      );
} finally {
  for (const b of brokers) await b.stop();
}

const cpu = (r: LoadResult) =>
  `broker ${r.brokerCpuPercent}%, generator max ${Math.max(...r.generatorCpu.map((p) => p.percent))}% (${r.generatorCpu.length} processes), machine ${r.machineBusyPercent}%`;
const loop = (r: LoadResult) => (r.eventLoopDelayP99Ms ? `; event loop p99 ${r.eventLoopDelayP99Ms.max} ms` : '');
const w9Bytes = (row: Row) => W9_BODIES.find((b) => b.label === row.case)!.bytes;
const megabytesPerSecond = (msgPerSec: number, bytes: number) => Math.round((msgPerSec * bytes) / 1e6);
const lat = (d: { p50: number; p99: number; p999: number }) => `p50 ${d.p50} / p99 ${d.p99} / p99.9 ${d.p999} ms`;

function cell(row: Row, broker: string): string {
  const r = row.byBroker[broker];
  if (!r) return 'not run';
  const main = r.flows[0]!;
  let figure: string;
  if (row.workload === 'W8') {
    const quiet = r.flows[1]!;
    figure = `hot ${main.msgPerSec} msg/s; quiet queues ${lat(quiet.deliverMs)}`;
  } else if (row.workload === 'W9') {
    figure = `${megabytesPerSecond(main.msgPerSec, w9Bytes(row))} MB/s (${main.msgPerSec} msg/s), ${lat(main.deliverMs)}, RSS max ${r.brokerRssMaxMiB} MiB`;
  } else if (row.workload === 'W10') figure = `at ${main.msgPerSec} msg/s: ${lat(main.deliverMs)}`;
  else figure = `${main.msgPerSec} msg/s, ${lat(main.deliverMs)}${main.confirmMs ? `, confirm p99 ${main.confirmMs.p99} ms` : ''}`;
  const incomplete = r.flows.some((f) => !f.allDelivered) ? ' **not all delivered in time**' : '';
  const nacked = r.flows.reduce((n, f) => n + f.nacked, 0);
  const errors = r.errors.length ? ` errors: ${[...new Set(r.errors)].join('; ')}` : '';
  return `${figure}${incomplete}${nacked ? ` **${nacked} nacked**` : ''}; ${cpu(r)}${loop(r)}; client ${r.client}; **${r.verdict}**${errors}`;
}

/** Warren's figure over RabbitMQ's: msg/s, or for W10 RabbitMQ's p99 over Warren's (higher is better for Warren either way). */
function ratio(row: Row): number | undefined {
  const w = row.byBroker.Warren;
  const r = row.byBroker.RabbitMQ;
  if (!w || !r) return undefined;
  if (row.workload === 'W10') return r.flows[0]!.deliverMs.p99 / w.flows[0]!.deliverMs.p99;
  return w.flows[0]!.msgPerSec / r.flows[0]!.msgPerSec;
}

const lines = [
  `Load generator client: ${client.name}${client.fallbackReason ? ` (${client.fallbackReason})` : ''}.`,
  '',
  '| workload | case | Warren | RabbitMQ | Warren / RabbitMQ |',
  '| --- | --- | --- | --- | --- |',
];
for (const row of rows) {
  const x = ratio(row);
  lines.push(
    `| ${row.workload} | ${row.case} | ${cell(row, 'Warren')} | ${cell(row, 'RabbitMQ')} | ${x === undefined ? '—' : `${x.toFixed(2)}×${row.workload === 'W10' ? ' (p99)' : ''}`} |`,
  );
}
for (const b of brokers) if (b.note) lines.push('', b.note);

fs.mkdirSync(chartsDir, { recursive: true });
const chart = (file: string, title: string, unit: string, groups: BarGroup[]) => {
  fs.writeFileSync(path.join(chartsDir, file), barChart({ title, unit, series: names, groups }));
  lines.push('', `![${title}](charts/${file})`);
};
const groupsOf = (workload: string, value: (r: LoadResult, row: Row) => number) =>
  rows
    .filter((r) => r.workload === workload)
    .map((row) => ({ label: row.case, values: Object.fromEntries(names.map((n) => [n, row.byBroker[n] && value(row.byBroker[n], row)])) }));
chart(
  'w1x.svg',
  'W1x transient',
  'msg/s end to end, by publisher/consumer pairs',
  groupsOf('W1x', (r) => r.flows[0]!.msgPerSec),
);
chart(
  'w2x.svg',
  'W2x persistent + confirms',
  'msg/s end to end, by publisher/consumer pairs',
  groupsOf('W2x', (r) => r.flows[0]!.msgPerSec),
);
chart(
  'w8-hot.svg',
  'W8 hot queue beside 1,000 quiet ones',
  'msg/s of the hot queue',
  groupsOf('W8', (r) => r.flows[0]!.msgPerSec),
);
chart(
  'w8-quiet.svg',
  'W8 quiet queues',
  'p99 publish→deliver, ms (lower is better)',
  groupsOf('W8', (r) => r.flows[1]!.deliverMs.p99),
);
chart(
  'w9.svg',
  'W9 large messages',
  'MB/s end to end, by body size',
  groupsOf('W9', (r, row) => megabytesPerSecond(r.flows[0]!.msgPerSec, w9Bytes(row))),
);
chart(
  'w10.svg',
  'W10 latency under a fixed load',
  'p99 publish→deliver, ms (lower is better), at a share of each broker’s own W1x maximum at 1 pair',
  groupsOf('W10', (r) => r.flows[0]!.deliverMs.p99),
);

console.log(lines.join('\n'));
console.log(JSON.stringify({ date: new Date().toISOString(), quick, client: client.name, fallbackReason: client.fallbackReason, rows }));
