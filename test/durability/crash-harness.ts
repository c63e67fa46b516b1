// Crash harness: a Warren process (broker-only.ts) is killed with SIGKILL at
// random moments while this process publishes persistent messages with
// confirms (and, every other cycle, consumes and acks some), then restarted
// on the same data directory; at the end everything left is consumed.
// Passes when every confirmed message was consumed at least once, no body
// came back altered and first deliveries came in publishing order.
// Duplicates (acks lost in a crash, unconfirmed messages kept) are allowed.
//
// Topology too: messages go through a durable fanout exchange, and every
// cycle declares and binds one more durable queue just before publishing,
// so confirms race the queue's declaration; each such queue must survive
// and hold at least the confirmed messages published after its binding.
//
// Run on its own: npx tsx test/durability/crash-harness.ts --cycles 20
// Prints `confirmed N, recovered N, lost 0, duplicates D`; exits 1 on failure.

import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { fileURLToPath } from 'node:url';
import { makeDataDir, spawnBroker, type BrokerProcess } from './support';

const QUEUE = 'crash-harness';
const EXCHANGE = 'crash-harness.fanout';
const cycleQueue = (cycle: number) => `crash-harness.cycle-${cycle}`;
const IN_FLIGHT = 200;
/** Small journal segments, so that rotation, deletion and compaction happen between the kills. */
const SEGMENT_BYTES = 256 * 1024;

export interface CrashResult {
  cycles: number;
  published: number;
  confirmed: number;
  /** Confirmed messages consumed at least once. */
  recovered: number;
  lost: number;
  duplicates: number;
  corrupt: number;
  outOfOrder: number;
  /** Cycle queues declared and bound before their cycle's kill. */
  cycleQueuesChecked: number;
  /** Of those, the ones missing after the restarts or holding fewer messages than were confirmed into them. */
  topologyLost: number;
  /** Journal regions the broker reported skipping on its restarts (torn tails). */
  skippedReports: number;
}

/** The body of message `id`: its id, then bytes derived from it, of a length derived from it. */
export function messageBody(id: number): Buffer {
  const length = 16 + ((id * 7919) % 1500);
  const body = Buffer.alloc(length);
  let x = (id * 2654435761) % 4294967296;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    body[i] = x & 0xff;
  }
  body.writeUInt32BE(id, 0);
  return body;
}

class Tally {
  nextId = 1;
  /** Per cycle whose queue was bound: the first id published after the binding. */
  readonly cycleQueues = new Map<number, number>();
  readonly confirmed = new Set<number>();
  /** Times each id was delivered. */
  readonly deliveries = new Map<number, number>();
  corrupt = 0;
  outOfOrder = 0;
  private lastFirstDelivery = 0;

  received(body: Buffer): void {
    const id = body.length >= 4 ? body.readUInt32BE(0) : 0;
    if (id === 0 || !messageBody(id).equals(body)) {
      this.corrupt++;
      return;
    }
    const seen = this.deliveries.get(id) ?? 0;
    this.deliveries.set(id, seen + 1);
    if (seen === 0) {
      if (id < this.lastFirstDelivery) this.outOfOrder++;
      this.lastFirstDelivery = id;
    }
  }
}

async function connect(url: string): Promise<{ conn: ChannelModel; closed: Promise<void> }> {
  const conn = await amqp.connect(url);
  conn.on('error', () => {});
  const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()));
  return { conn, closed };
}

/** Declares this cycle's queue, then publishes with confirms until the connection dies. */
async function publish(url: string, tally: Tally, cycle: number): Promise<void> {
  const { conn, closed } = await connect(url);
  let alive = true;
  let wake: (() => void) | null = null;
  void closed.then(() => {
    alive = false;
    wake?.();
  });
  let inFlight = 0;
  try {
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => {});
    await ch.assertExchange(EXCHANGE, 'fanout', { durable: true });
    await ch.assertQueue(QUEUE, { durable: true });
    await ch.bindQueue(QUEUE, EXCHANGE, '');
    await ch.assertQueue(cycleQueue(cycle), { durable: true });
    await ch.bindQueue(cycleQueue(cycle), EXCHANGE, '');
    tally.cycleQueues.set(cycle, tally.nextId);
    while (alive) {
      if (inFlight >= IN_FLIGHT) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const id = tally.nextId++;
      inFlight++;
      ch.publish(EXCHANGE, '', messageBody(id), { persistent: true }, (err: unknown) => {
        inFlight--;
        if (!err) tally.confirmed.add(id);
        const w = wake;
        wake = null;
        w?.();
      });
      if (tally.nextId % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  } catch {
    // the channel closed under us: the broker is gone
  }
  await closed;
}

/** Consumes and acks until the connection dies (or `stop` is called). */
async function consume(url: string, tally: Tally): Promise<{ ch: Channel; stop(): Promise<void>; closed: Promise<void> }> {
  const { conn, closed } = await connect(url);
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  await ch.assertQueue(QUEUE, { durable: true });
  await ch.prefetch(50);
  await ch.consume(QUEUE, (msg) => {
    if (!msg) return;
    tally.received(msg.content);
    try {
      ch.ack(msg);
    } catch {
      // closed meanwhile
    }
  });
  return { ch, closed, stop: () => conn.close().catch(() => {}) };
}

/** How many cycle queues are missing or hold fewer messages than were confirmed after their binding. */
async function checkCycleQueues(url: string, tally: Tally): Promise<number> {
  const { conn } = await connect(url);
  let lost = 0;
  try {
    for (const [cycle, firstId] of tally.cycleQueues) {
      let confirmedAfter = 0;
      for (const id of tally.confirmed) if (id >= firstId) confirmedAfter++;
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      const count = await ch.checkQueue(cycleQueue(cycle)).then(
        (q) => q.messageCount,
        () => -1,
      );
      if (count < confirmedAfter) lost++;
    }
  } finally {
    await conn.close().catch(() => {});
  }
  return lost;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCrashHarness(cycles: number, log: (line: string) => void = () => {}): Promise<CrashResult> {
  const data = makeDataDir();
  const tally = new Tally();
  let skippedReports = 0;
  let topologyLost = 0;
  const countSkips = (broker: BrokerProcess) => (skippedReports += broker.output.filter((l) => l.startsWith('journal: skipped')).length);
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const broker = await spawnBroker(data.dir, { segmentBytes: SEGMENT_BYTES });
      countSkips(broker);
      const publishing = publish(broker.url, tally, cycle);
      const consuming = cycle % 2 === 0 ? await consume(broker.url, tally) : undefined;
      await sleep(200 + Math.random() * 1300);
      await broker.kill();
      await publishing;
      await consuming?.closed;
      log(`cycle ${cycle}: published ${tally.nextId - 1}, confirmed ${tally.confirmed.size}, consumed ${tally.deliveries.size}`);
    }
    const broker = await spawnBroker(data.dir, { segmentBytes: SEGMENT_BYTES });
    countSkips(broker);
    const consumer = await consume(broker.url, tally);
    // Drained when the queue is empty and nothing arrived for a while.
    for (let quiet = 0, last = -1; quiet < 3; ) {
      await sleep(200);
      const count = [...tally.deliveries.values()].reduce((a, b) => a + b, 0);
      const { messageCount } = await consumer.ch.checkQueue(QUEUE);
      quiet = messageCount === 0 && count === last ? quiet + 1 : 0;
      last = count;
    }
    await consumer.stop();
    topologyLost = await checkCycleQueues(broker.url, tally);
    const code = await broker.stop();
    if (code !== 0) throw new Error(`broker exited with ${code} on SIGTERM:\n${broker.output.join('\n')}`);
  } finally {
    data.remove();
  }
  let recovered = 0;
  for (const id of tally.confirmed) if (tally.deliveries.has(id)) recovered++;
  let duplicates = 0;
  for (const times of tally.deliveries.values()) duplicates += times - 1;
  return {
    cycles,
    published: tally.nextId - 1,
    confirmed: tally.confirmed.size,
    recovered,
    lost: tally.confirmed.size - recovered,
    duplicates,
    corrupt: tally.corrupt,
    outOfOrder: tally.outOfOrder,
    cycleQueuesChecked: tally.cycleQueues.size,
    topologyLost,
    skippedReports,
  };
}

export function crashSummary(r: CrashResult): string {
  return `confirmed ${r.confirmed}, recovered ${r.recovered}, lost ${r.lost}, duplicates ${r.duplicates}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--cycles');
  const cycles = at > 0 ? Number(process.argv[at + 1]) : 20;
  const result = await runCrashHarness(cycles, (line) => console.log(line));
  console.log(JSON.stringify(result));
  console.log(crashSummary(result));
  const failed = result.lost > 0 || result.corrupt > 0 || result.outOfOrder > 0 || result.topologyLost > 0;
  if (failed) {
    console.log(`FAILED: ${result.lost} lost, ${result.corrupt} corrupt, ${result.outOfOrder} out of order, ${result.topologyLost} cycle queues lost or short`);
  }
  process.exit(failed ? 1 : 0);
}
