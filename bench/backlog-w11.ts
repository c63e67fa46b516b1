// Workload W11 of docs/benchmarks.md: a backlog. N × 256 B persistent
// messages (10,000,000; --quick 200,000) are published with confirms into one
// durable queue that nobody consumes, then one consumer drains it: msg/s each
// way, and the broker's RSS while the backlog fills (sampled every second;
// per queued message at the end of the fill), Warren against RabbitMQ 3.10
// with the same load generator (bench/load/). Each phase is capped at
// PHASE_CAP_S (a slow broker's row then says how far it got) so that a full
// run stays within minutes.
// Run: npx tsx bench/backlog-w11.ts [--quick]   Prints a markdown table and one JSON line.

import amqp from 'amqplib';
import { startRabbitMq, startWarren, type RunningBroker } from './amqp-peers';
import { round } from './amqp-support';
import { loadClient, type LoadClient } from './load/client';
import { startLoadProcess } from './load/generator';
import { rssBytes } from './process-stats';

const quick = process.argv.includes('--quick');
const MESSAGES = quick ? 200_000 : 10_000_000;
const PHASE_CAP_S = quick ? 30 : 240;
const CONFIRM_WINDOW = 1000;
const PREFETCH = 1000;

interface Result {
  broker: string;
  client: string;
  target: number;
  filled: number;
  fillSeconds: number;
  fillMsgPerSec: number;
  drained: number;
  drainSeconds: number;
  drainMsgPerSec: number;
  rssIdleMiB: number;
  rssMaxMiB: number;
  rssFilledMiB: number;
  /** (RSS with the backlog − RSS idle) / messages queued. */
  rssBytesPerMessage: number;
  /** RSS every second while filling, MiB. */
  rssWhileFillingMiB: number[];
  capped: string | null;
}

async function backlog(broker: RunningBroker, client: LoadClient): Promise<Result> {
  const port = new URL(broker.url).port || '5672';
  // The load client's queues are <prefix><index>: this one is <prefix>0.
  const prefix = `w11-${process.pid}-`;
  const queue = `${prefix}0`;
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  const rss = () => (broker.pid === undefined ? NaN : rssBytes(broker.pid));
  const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
  const common = ['--port', port, '--prefix', prefix, '--first', '0', '--count-queues', '1', '--connections', '1'];
  try {
    const rssIdle = rss();
    let rssMax = rssIdle;
    const series: number[] = [];
    const sampler = setInterval(() => {
      const now = rss();
      rssMax = Math.max(rssMax, now);
      series.push(mib(now));
    }, 1000);
    // Fill: the publisher stops at MESSAGES or at the cap; its count is what was confirmed.
    const fillStart = performance.now();
    const pub = startLoadProcess(
      client,
      'pub',
      0,
      [...common, '--messages', String(MESSAGES), '--seconds', String(PHASE_CAP_S), '--persistent', '--confirm', String(CONFIRM_WINDOW), '--body', '256'],
      1,
    );
    const published = await pub.final;
    const fillSeconds = (performance.now() - fillStart) / 1000;
    clearInterval(sampler);
    const queued = (await ch.checkQueue(queue)).messageCount;
    const rssFilled = rss();
    rssMax = Math.max(rssMax, rssFilled);

    // Drain: one consumer until the queue is empty or the cap.
    const drainStart = performance.now();
    const sub = startLoadProcess(client, 'sub', 0, [...common, '--prefetch', String(PREFETCH)], 1);
    await sub.ready;
    const deadline = drainStart + PHASE_CAP_S * 1000;
    while (sub.progress < queued && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const drainSeconds = (performance.now() - drainStart) / 1000;
    sub.stop();
    await sub.final;
    const drained = sub.progress;
    const capped =
      queued < MESSAGES
        ? `fill stopped at the ${PHASE_CAP_S} s cap with ${queued} queued`
        : drained < queued
          ? `drain stopped at the ${PHASE_CAP_S} s cap`
          : null;
    return {
      broker: broker.name,
      client: client.name,
      target: MESSAGES,
      filled: queued,
      fillSeconds: round(fillSeconds, 1),
      fillMsgPerSec: Math.round((published?.count ?? queued) / fillSeconds),
      drained,
      drainSeconds: round(drainSeconds, 1),
      drainMsgPerSec: Math.round(drained / drainSeconds),
      rssIdleMiB: mib(rssIdle),
      rssMaxMiB: mib(rssMax),
      rssFilledMiB: mib(rssFilled),
      rssBytesPerMessage: Math.round((rssFilled - rssIdle) / Math.max(1, queued)),
      rssWhileFillingMiB: series,
      capped,
    };
  } finally {
    await ch.deleteQueue(queue).catch(() => {});
    await conn.close().catch(() => {});
  }
}

const client = loadClient();
const results: Result[] = [];
const warren = await startWarren();
try {
  results.push(await backlog(warren, client));
} finally {
  await warren.stop();
}
const rabbit = await startRabbitMq();
if (rabbit) {
  try {
    results.push(await backlog(rabbit, client));
  } finally {
    await rabbit.stop();
  }
}

const lines = [
  `W11: ${MESSAGES.toLocaleString('en')} × 256 B persistent messages, confirm window ${CONFIRM_WINDOW}, then one consumer with prefetch ${PREFETCH}; client ${client.name}; each phase capped at ${PHASE_CAP_S} s.`,
  '',
  '| broker | fill msg/s | drain msg/s | RSS idle → filled (max) | RSS per queued message | note |',
  '| --- | --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.broker} | ${r.fillMsgPerSec} (${r.filled} in ${r.fillSeconds} s) | ${r.drainMsgPerSec} (${r.drained} in ${r.drainSeconds} s) | ${r.rssIdleMiB} → ${r.rssFilledMiB} MiB (${r.rssMaxMiB}) | ${r.rssBytesPerMessage} B | ${r.capped ?? '—'} |`,
  ),
];
const [w, q] = results;
if (w && q)
  lines.push('', `Warren / RabbitMQ: fill ${(w.fillMsgPerSec / q.fillMsgPerSec).toFixed(2)}×, drain ${(w.drainMsgPerSec / q.drainMsgPerSec).toFixed(2)}×.`);
console.log(lines.join('\n'));
console.log(JSON.stringify({ workload: 'W11', date: new Date().toISOString(), quick, results }));
