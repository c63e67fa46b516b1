// Retry tiers, engine alone, in process: 100,000 messages of 256 bytes fail
// through three tiers and end in the dead-letter queue. The clock is the
// benchmark's own, so the figures are CPU cost, not time spent waiting.
//
// 1. Scheduling overhead (CPU time of the process): a consumer rejects every delivery. Per message and
//    tier: the cost of a deliver → reject → hold → release cycle minus the same
//    deliver → reject on a queue without tiers (where the message is dropped).
//    Also the peak number of scheduler wake-ups (one per non-empty tier, not
//    one per message). Median of several rounds.
// 2. Memory: 100,000 messages held in one tier; heap plus array-buffer growth
//    per held message, and the same minus the 256 body bytes.
//
// Run: npx tsx bench/retry-tiers.ts   (prints one JSON line)

import v8 from 'node:v8';
import vm from 'node:vm';
import { Broker } from '../server/broker/broker';
import type { Channel } from '../server/broker/channel';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MESSAGES = 100_000;
const BODY_SIZE = 256;
const TIERS = ['5s', '30s', '5m'];
const TIER_MS = [5000, 30_000, 300_000];
const ROUNDS = 5;

interface Setup {
  broker: Broker;
  channel: Channel;
  advance(ms: number): void;
}

function setup(args: Record<string, unknown>): Setup {
  let now = Date.UTC(2026, 0, 1);
  const broker = new Broker({ now: () => now });
  broker.declareQueue('/', 'work', { arguments: args });
  const channel = broker.openConnection({ vhost: '/', user: 'bench', clientProperties: {}, peerAddress: 'local' }).openChannel(1);
  return {
    broker,
    channel,
    advance(ms) {
      now += ms;
      broker.scheduler.runDue();
    },
  };
}

/** A consumer that rejects (requeue=false) every delivery; starts on the next turn. */
function rejectAll(s: Setup): Promise<void> {
  s.channel.consume('work', { noAck: false }, (d) => s.channel.reject(d.deliveryTag, false));
  return new Promise((resolve) => setImmediate(resolve));
}

function publishAll(broker: Broker): void {
  const body = Buffer.alloc(BODY_SIZE, 120);
  for (let i = 0; i < MESSAGES; i++) broker.publish('/', '', 'work', {}, body);
}

/** CPU seconds of this process since `start`: the machine is shared, so wall time would measure the neighbours. */
function seconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** ns per message for publish → deliver → reject, dropped (no tiers, no dead-letter exchange). */
async function baselineRound(): Promise<number> {
  const s = setup({});
  await rejectAll(s);
  const start = process.cpuUsage();
  publishAll(s.broker);
  const elapsed = seconds(start);
  if (s.broker.getQueue('/', 'work').counters.rejected !== MESSAGES) throw new Error('baseline incomplete');
  s.broker.close();
  return (elapsed * 1e9) / MESSAGES;
}

/** ns per message for the whole chain (publish, three tiers, dead letter), and the peak scheduler size. */
async function chainRound(): Promise<{ nsPerMessage: number; peakWakeUps: number }> {
  const s = setup({ 'x-retry-tiers': TIERS });
  await rejectAll(s);
  let peakWakeUps = 0;
  const start = process.cpuUsage();
  publishAll(s.broker);
  for (const ms of TIER_MS) {
    peakWakeUps = Math.max(peakWakeUps, s.broker.scheduler.pending);
    s.advance(ms);
  }
  const elapsed = seconds(start);
  const dead = s.broker.getQueue('/', 'work.dlq').ready;
  if (dead !== MESSAGES) throw new Error(`only ${dead} of ${MESSAGES} reached the dead-letter queue`);
  s.broker.close();
  return { nsPerMessage: (elapsed * 1e9) / MESSAGES, peakWakeUps };
}

function heapBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Bytes per message held in a tier (fresh body per message, as a decoder would produce). */
async function heldBytesPerMessage(): Promise<number> {
  const s = setup({ 'x-retry-tiers': TIERS });
  await rejectAll(s);
  const before = heapBytes();
  for (let i = 0; i < MESSAGES; i++) {
    const body = Buffer.allocUnsafe(BODY_SIZE);
    body.fill(i & 0xff);
    s.broker.publish('/', '', 'work', {}, body);
  }
  const after = heapBytes();
  const held = s.broker.retries.get('/', 'work').tiers[0]!.count;
  if (held !== MESSAGES) throw new Error(`held ${held}`);
  s.broker.close();
  return (after - before) / MESSAGES;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  await baselineRound();
  await chainRound();
  const baseline: number[] = [];
  const chain: number[] = [];
  let peakWakeUps = 0;
  for (let round = 0; round < ROUNDS; round++) {
    gc();
    baseline.push(await baselineRound());
    gc();
    const result = await chainRound();
    chain.push(result.nsPerMessage);
    peakWakeUps = Math.max(peakWakeUps, result.peakWakeUps);
  }
  const baselineNs = median(baseline);
  const chainNs = median(chain);
  // The chain delivers and rejects each message four times (first try + three retries);
  // the baseline once. What is left over is the cost of the tiers.
  const perTierNs = (chainNs - 4 * baselineNs) / TIERS.length;
  const heldBytes = await heldBytesPerMessage();
  console.log(
    JSON.stringify({
      workload: 'retry-tiers',
      messages: MESSAGES,
      bodyBytes: BODY_SIZE,
      tiers: TIERS,
      rounds: ROUNDS,
      deliverRejectNsPerMessage: Math.round(baselineNs),
      wholeChainNsPerMessage: Math.round(chainNs),
      schedulingOverheadNsPerMessagePerTier: Math.round(perTierNs),
      peakSchedulerWakeUps: peakWakeUps,
      bytesPerHeldMessage: Math.round(heldBytes),
      bytesPerHeldMessageBeyondBody: Math.round(heldBytes - BODY_SIZE),
      node: process.version,
    }),
  );
}

await main();
