// Scheduled messages, engine alone, in process: 1,000,000 messages of 64
// bytes published with x-delay (random, up to one hour) to an
// x-delayed-message exchange. The clock is the benchmark's own.
//
// 1. Memory: heap plus array-buffer growth per scheduled message, beside
//    the same messages sitting in a plain queue (the difference is what
//    scheduling costs per message).
// 2. Wake-ups: the hour is run through in one-second steps; how many times
//    the scheduler woke the exchange's area, the most wake-ups ever pending
//    in the engine's scheduler (one per area, not one per message), and
//    that every message reached its queue.
//
// Run: npx tsx bench/scheduled-scale.ts   (prints one JSON line)

import v8 from 'node:v8';
import vm from 'node:vm';
import { Broker } from '../server/broker/broker';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MESSAGES = 1_000_000;
const HOUR = 3_600_000;

function heap(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

let now = Date.UTC(2026, 0, 1);
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

function publishAll(broker: Broker, exchange: string, delayed: boolean): void {
  for (let i = 0; i < MESSAGES; i++) {
    const headers = delayed ? { 'x-delay': 1 + Math.floor(random() * HOUR) } : { 'x-delay': 0 };
    broker.publish('/', exchange, 'job', { headers, messageId: `m${i}` }, Buffer.alloc(64, 120));
  }
}

// Baseline: the same messages, routed at once into a queue.
let broker = new Broker({ now: () => now });
broker.declareExchange('/', 'later', 'x-delayed-message', { arguments: { 'x-delayed-type': 'direct' } });
broker.declareQueue('/', 'jobs');
broker.bindQueue('/', 'jobs', 'later', 'job');
let before = heap();
publishAll(broker, 'later', false);
const queuedBytes = (heap() - before) / MESSAGES;
broker.close();

broker = new Broker({ now: () => now });
broker.declareExchange('/', 'later', 'x-delayed-message', { arguments: { 'x-delayed-type': 'direct' } });
broker.declareQueue('/', 'jobs');
broker.bindQueue('/', 'jobs', 'later', 'job');
before = heap();
const publishStart = performance.now();
publishAll(broker, 'later', true);
const publishSeconds = (performance.now() - publishStart) / 1000;
const scheduledBytes = (heap() - before) / MESSAGES;
const listStart = performance.now();
const firstPage = await broker.scheduled.messages('/', 'later', { limit: 50, sort: 'due' });
const listMs = performance.now() - listStart;

let peakPending = 0;
const runStart = performance.now();
for (let second = 0; second <= HOUR / 1000; second++) {
  now += 1000;
  broker.scheduler.runDue();
  peakPending = Math.max(peakPending, broker.scheduler.pending);
}
const runSeconds = (performance.now() - runStart) / 1000;
const area = broker.scheduled.list('/')[0]!;
console.log(
  JSON.stringify({
    workload: 'scheduled-1m',
    messages: MESSAGES,
    bodyBytes: 64,
    bytesPerScheduledMessage: Math.round(scheduledBytes),
    bytesPerQueuedMessage: Math.round(queuedBytes),
    schedulingOverheadBytes: Math.round(scheduledBytes - queuedBytes),
    publishSeconds: Number(publishSeconds.toFixed(2)),
    firstPageSortedByDueMs: Math.round(listMs),
    firstPageTotal: firstPage.total,
    wakeUps: area.wakeUps,
    peakPendingWakeUps: peakPending,
    releaseSeconds: Number(runSeconds.toFixed(2)),
    delivered: broker.getQueue('/', 'jobs').ready,
  }),
);
broker.close();
