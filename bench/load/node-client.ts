// The load generator's fallback client on amqplib, for when amqp-load.c cannot
// be built: the same command line, the same queue layout, the same output
// (progress lines, one JSON line at the end, histograms in histogram.ts's
// buckets), all connections of a process on its one event loop.
// Run: node --import tsx bench/load/node-client.ts pub|sub --port P --prefix Q ... (flags of amqp-load.c)

import amqp, { type Channel, type ConfirmChannel } from 'amqplib';
import { BUCKETS, bucketOf } from './histogram';

const role = process.argv[2];
const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const prefixAt = process.argv.indexOf('--prefix');
const opt = {
  port: flag('port', 5672),
  prefix: prefixAt === -1 ? 'q' : process.argv[prefixAt + 1]!,
  first: flag('first', 0),
  queues: flag('count-queues', 1),
  connections: flag('connections', 1),
  channels: flag('channels', 1),
  body: flag('body', 256),
  rate: flag('rate', 0),
  seconds: flag('seconds', 0),
  messages: flag('messages', 0),
  persistent: process.argv.includes('--persistent'),
  confirm: flag('confirm', 0),
  prefetch: flag('prefetch', 100),
};
if (role !== 'pub' && role !== 'sub') {
  console.error('usage: node-client.ts pub|sub --port P --prefix Q --first A --count-queues N [...] (flags of amqp-load.c)');
  process.exit(2);
}

const now = () => process.hrtime.bigint(); // CLOCK_MONOTONIC, as amqp-load.c stamps bodies
const latency = new Array<number>(BUCKETS).fill(0);
let done = 0;
let confirmed = 0;
let nacked = 0;
let firstNs = 0n;
let lastNs = 0n;
let error = '';
let stopping = false;
process.on('SIGTERM', () => (stopping = true));
process.on('SIGINT', () => (stopping = true));

const slots = opt.connections * opt.channels;
/** Queues of connection `conn`, channel `ch` (0-based): every slots-th one from its slot. */
function queuesOf(conn: number, ch: number): string[] {
  const names: string[] = [];
  for (let q = conn * opt.channels + ch; q < opt.queues; q += slots) names.push(`${opt.prefix}${opt.first + q}`);
  if (names.length === 0) names.push(`${opt.prefix}${opt.first + ((conn * opt.channels + ch) % opt.queues)}`);
  return names;
}

async function publishOn(channel: Channel | ConfirmChannel, names: string[], share: number, limit: number, deadline: bigint): Promise<void> {
  const body = Buffer.alloc(opt.body, 0x61);
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const start = now();
  let sent = 0;
  for (let i = 0; !stopping && (limit < 0 || sent < limit); i++) {
    const t = now();
    if (t >= deadline) break;
    if (share > 0 && sent >= (share * Number(t - start)) / 1e9) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    if (opt.confirm > 0 && inFlight >= opt.confirm) await new Promise<void>((r) => (wake = r));
    const stamp = now();
    const b = Buffer.from(body);
    b.writeBigUInt64LE(stamp, 0);
    const queue = names[i % names.length]!;
    let writable: boolean;
    if (opt.confirm > 0) {
      inFlight++;
      writable = (channel as ConfirmChannel).sendToQueue(queue, b, { persistent: opt.persistent }, (err: unknown) => {
        if (err) nacked++;
        latency[bucketOf(Number(now() - stamp))]!++;
        confirmed++;
        inFlight--;
        if (wake && inFlight <= opt.confirm / 2) {
          const w = wake;
          wake = null;
          w();
        }
      });
    } else writable = channel.sendToQueue(queue, b, { persistent: opt.persistent });
    sent++;
    done++;
    if (!writable) await new Promise((r) => channel.once('drain', r));
  }
  if (opt.confirm > 0) await (channel as ConfirmChannel).waitForConfirms();
  // Closing the channel first: amqplib multiplexes channels, and a connection.close could overtake publishes still buffered.
  await channel.close();
}

async function publisher(conn: number): Promise<void> {
  const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${opt.port}`);
  const share = opt.rate / (opt.connections * opt.channels);
  const perChannel = opt.messages > 0 ? Math.ceil(opt.messages / (opt.connections * opt.channels)) : -1;
  const deadline = opt.seconds > 0 ? now() + BigInt(Math.round(opt.seconds * 1e9)) : BigInt(Number.MAX_SAFE_INTEGER) * 1000n;
  const runs: Promise<void>[] = [];
  for (let ch = 0; ch < opt.channels; ch++) {
    const channel = opt.confirm > 0 ? await connection.createConfirmChannel() : await connection.createChannel();
    runs.push(publishOn(channel, queuesOf(conn, ch), share, perChannel, deadline));
  }
  await Promise.all(runs);
  await connection.close();
}

async function consumer(conn: number): Promise<void> {
  const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${opt.port}`);
  for (let ch = 0; ch < opt.channels; ch++) {
    const channel = await connection.createChannel();
    await channel.prefetch(opt.prefetch);
    for (const queue of queuesOf(conn, ch))
      await channel.consume(queue, (msg) => {
        if (!msg) return;
        const t = now();
        const sent = msg.content.readBigUInt64LE(0);
        latency[bucketOf(t > sent ? Number(t - sent) : 0)]!++;
        if (done === 0) firstNs = t;
        lastNs = t;
        done++;
        channel.ack(msg);
      });
  }
}

const counts = () => {
  let last = latency.length - 1;
  while (last > 0 && latency[last] === 0) last--;
  return latency.slice(0, last + 1);
};
const report = () =>
  console.log(JSON.stringify({ role, count: done, confirmed, nacked, firstNs: String(firstNs), lastNs: String(lastNs), error, latency: counts() }));

if (role === 'pub') {
  firstNs = now();
  const runs = Array.from({ length: opt.connections }, (_, c) => publisher(c));
  await Promise.all(runs).catch((e: Error) => (error = e.message));
  lastNs = now();
  report();
  process.exit(0);
} else {
  await Promise.all(Array.from({ length: opt.connections }, (_, c) => consumer(c))).catch((e: Error) => (error = e.message));
  console.log('ready');
  const progress = setInterval(() => {
    console.log(`progress ${done}`);
    if (stopping) {
      clearInterval(progress);
      report();
      process.exit(0);
    }
  }, 100);
}
