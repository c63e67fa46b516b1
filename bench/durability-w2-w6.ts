// W2 and W6 of docs/benchmarks.md for the durable broker (journal + metadata
// database, test/durability/broker-only.ts in a process of its own).
//
// W2: persistent messages to a durable queue with confirms (bench/amqp-w2.ts),
//     Warren and RabbitMQ side by side, after one warm-up run each, several
//     runs each, alternating; medians and ratios.
// W6: 1,000,000 persistent messages queued, then a restart: recovery time
//     (start to "ready", and the broker's own recovery figure) and resident
//     memory per queued message (RSS with the backlog minus RSS empty).
//
// Run: npx tsx bench/durability-w2-w6.ts [--runs 3] [--w2-messages 50000] [--w6-messages 1000000] [--skip-rabbitmq]
// Prints one JSON line per run and per summary.

import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { makeDataDir, spawnBroker, type BrokerProcess } from '../test/durability/support';
import { startRabbitMq } from './amqp-peers';
import { runW2 } from './amqp-w2';
import { BODY_SIZE, round } from './amqp-support';
import { rssBytes } from './process-stats';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const RUNS = option('--runs', 3);
const W2_MESSAGES = option('--w2-messages', 50_000);
const W6_MESSAGES = option('--w6-messages', 1_000_000);
const W6_WINDOW = 5000;
const W2_WARM_UP = 10_000;

const emit = (line: Record<string, unknown>) => console.log(JSON.stringify(line));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2; // callers pass samples
}

async function w2(broker: string, url: string, run: number) {
  const result = await runW2(url, W2_MESSAGES);
  const line = { workload: 'W2', broker, run, messages: W2_MESSAGES, rate: result.rate, confirmP99Ms: result.extra?.confirmP99Ms, deliverP99Ms: result.p99Ms };
  emit(line);
  return line;
}

/** Fills queue `w6` with `count` persistent messages through AMQP, with confirms. */
async function fill(url: string, count: number): Promise<number> {
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('w6', { durable: true });
  const body = Buffer.alloc(BODY_SIZE, 0x61);
  const started = performance.now();
  let confirmed = 0;
  let wake: (() => void) | null = null;
  for (let i = 0; i < count; i++) {
    if (i - confirmed >= W6_WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    ch.sendToQueue('w6', body, { persistent: true }, (err) => {
      if (err) throw err;
      confirmed++;
      if (wake && i - confirmed < W6_WINDOW / 2) {
        const w = wake;
        wake = null;
        w();
      }
    });
  }
  await ch.waitForConfirms();
  await conn.close();
  return (performance.now() - started) / 1000;
}

/** Starts the broker; its recovery line gives the recovery time and the journal replay's share of it. */
async function timedStart(dir: string): Promise<{ broker: BrokerProcess; startMs: number; recoveryMs: number; replayMs: number }> {
  const started = performance.now();
  const broker = await spawnBroker(dir);
  const startMs = performance.now() - started;
  const recovered = /recovered .* in (\d+) ms \(journal replay (\d+) ms/.exec(broker.output.join('\n'));
  return { broker, startMs, recoveryMs: recovered ? Number(recovered[1]) : NaN, replayMs: recovered ? Number(recovered[2]) : NaN };
}

async function w6(run: number) {
  const data = makeDataDir();
  try {
    const empty = await timedStart(data.dir);
    await new Promise((r) => setTimeout(r, 500));
    const emptyRss = rssBytes(empty.broker.pid);
    const fillSeconds = await fill(empty.broker.url, W6_MESSAGES);
    await empty.broker.stop();
    const full = await timedStart(data.dir);
    if (!full.broker.output.some((l) => l.includes(`and ${W6_MESSAGES} messages`))) {
      throw new Error(`W6: the restarted broker did not report ${W6_MESSAGES} messages:\n${full.broker.output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage be collected
    const fullRss = rssBytes(full.broker.pid);
    await full.broker.stop();
    const line = {
      workload: 'W6',
      broker: 'Warren',
      run,
      messages: W6_MESSAGES,
      fillRate: round(W6_MESSAGES / fillSeconds, 0),
      restartToReadyMs: round(full.startMs, 0),
      recoveryMs: full.recoveryMs,
      journalReplayMs: full.replayMs,
      emptyStartToReadyMs: round(empty.startMs, 0),
      rssEmptyMiB: round(emptyRss / 1048576, 1),
      rssWithBacklogMiB: round(fullRss / 1048576, 1),
      rssBytesPerMessage: round((fullRss - emptyRss) / W6_MESSAGES, 1),
    };
    emit(line);
    return line;
  } finally {
    data.remove();
  }
}

const warrenData = makeDataDir();
const warren = await spawnBroker(warrenData.dir);
const rabbit = process.argv.includes('--skip-rabbitmq') ? null : await startRabbitMq();
try {
  const runs: Record<'Warren' | 'RabbitMQ', Awaited<ReturnType<typeof w2>>[]> = { Warren: [], RabbitMQ: [] };
  // One unrecorded warm-up each: Warren's first run is mostly the JIT compiling the message path.
  await runW2(warren.url, W2_WARM_UP);
  if (rabbit) await runW2(rabbit.url, W2_WARM_UP);
  for (let run = 1; run <= RUNS; run++) {
    // Alternate, so that both see the same background load.
    runs.Warren.push(await w2('Warren', warren.url, run));
    if (rabbit) runs.RabbitMQ.push(await w2('RabbitMQ', rabbit.url, run));
  }
  const summary = (name: keyof typeof runs) => {
    const r = runs[name];
    return r.length === 0
      ? null
      : {
          rate: median(r.map((x) => x.rate)),
          confirmP99Ms: median(r.map((x) => x.confirmP99Ms ?? NaN)),
          deliverP99Ms: median(r.map((x) => x.deliverP99Ms ?? NaN)),
        };
  };
  const w = summary('Warren')!;
  const q = summary('RabbitMQ');
  emit({
    workload: 'W2',
    summary: 'median',
    runs: RUNS,
    Warren: w,
    RabbitMQ: q,
    rateRatio: q ? round(w.rate / q.rate) : null,
    confirmP99Ratio: q ? round(w.confirmP99Ms / q.confirmP99Ms) : null,
  });
} finally {
  await warren.stop();
  warrenData.remove();
  await rabbit?.stop();
}

if (W6_MESSAGES > 0) {
  const w6runs = [];
  for (let run = 1; run <= Math.min(RUNS, 2); run++) w6runs.push(await w6(run));
  emit({
    workload: 'W6',
    summary: 'median',
    runs: w6runs.length,
    restartToReadyMs: median(w6runs.map((r) => r.restartToReadyMs)),
    recoveryMs: median(w6runs.map((r) => r.recoveryMs)),
    journalReplayMs: median(w6runs.map((r) => r.journalReplayMs)),
    rssBytesPerMessage: median(w6runs.map((r) => r.rssBytesPerMessage)),
  });
}
