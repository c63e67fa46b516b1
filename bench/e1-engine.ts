// Workload E1 of docs/benchmarks.md: the engine alone, in process, no network.
//
// 1. Throughput: one publisher and one consumer on one queue (default
//    exchange), 256-byte bodies, prefetch 100, manual acks: every message goes
//    publish → route → enqueue → deliver → ack. Reported as msg/s (median and
//    best of several rounds, after a warm-up), once with one basic.ack per
//    message and once with one ack (multiple) per 50 messages.
// 2. Memory: 1,000,000 messages of 256 bytes queued with no consumer; heap
//    plus array-buffer growth per message, minus the 256 body bytes.
//
// Run: npx tsx bench/e1-engine.ts [--trace on]   (prints one JSON line)
// With `--trace on` the queues' journeys are traced into a trace log in a
// temporary directory (server/journey/journey-log.ts), to measure what
// tracing costs; off (the default) is the engine as it runs untraced.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Broker } from '../server/broker/broker';
import type { Delivery } from '../server/broker/types';
import { JourneyLog } from '../server/journey/journey-log';
import { textFlag } from './flags';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const BODY_SIZE = 256;
const ROUND_MESSAGES = 1_000_000;
const ROUNDS = 5;
const QUEUED_MESSAGES = 1_000_000;
const TRACE = textFlag('trace', 'off') === 'on';
const traceDir = TRACE ? fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e1-trace-')) : '';

/** A broker whose queue `queue` is traced when --trace on. */
function benchBroker(queue: string): { broker: Broker; log: JourneyLog | undefined } {
  const log = TRACE ? JourneyLog.open(traceDir, { maxEvents: 100_000, maxAgeMs: 86_400_000 }) : undefined;
  const broker = new Broker({ journeys: log });
  broker.declareQueue('/', queue);
  if (TRACE) broker.journeys.setTracing('/', queue, true);
  return { broker, log };
}

function throughputRound(messages: number, ackEvery: number): Promise<number> {
  const { broker, log } = benchBroker('e1');
  const connection = broker.openConnection({ vhost: '/', user: 'bench', clientProperties: {}, peerAddress: 'local' });
  const publisher = connection.openChannel(1);
  const consumer = connection.openChannel(2);
  consumer.qos(100, false);
  let received = 0;
  consumer.consume('e1', { noAck: false }, (delivery: Delivery) => {
    received++;
    if (received % ackEvery === 0) consumer.ack(delivery.deliveryTag, ackEvery > 1);
  });
  const body = Buffer.alloc(BODY_SIZE, 120);
  // Let the consumer's start-up microtask run before timing.
  return new Promise<number>((resolve) => {
    setImmediate(() => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < messages; i++) publisher.publish('', 'e1', {}, body);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (received !== messages) throw new Error(`received ${received} of ${messages}`);
      broker.close();
      void (log?.close() ?? Promise.resolve()).then(() => resolve(messages / seconds));
    });
  });
}

function heapBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Bytes per message of 1M queued messages (heap + array buffers). */
function queuedBytesPerMessage(): number {
  const { broker, log } = benchBroker('backlog');
  const before = heapBytes();
  for (let i = 0; i < QUEUED_MESSAGES; i++) {
    // A fresh body and properties object per message, as a decoder would produce.
    const body = Buffer.allocUnsafe(BODY_SIZE);
    body.fill(i & 0xff);
    broker.publish('/', '', 'backlog', {}, body);
  }
  const after = heapBytes();
  if (broker.getQueue('/', 'backlog').ready !== QUEUED_MESSAGES) throw new Error('backlog incomplete');
  broker.close();
  void log?.close();
  return (after - before) / QUEUED_MESSAGES;
}

/** Bytes per 256-byte body Buffer alone, for reference. */
function bodyBytesPerMessage(): number {
  const bodies: Buffer[] = [];
  const before = heapBytes();
  for (let i = 0; i < QUEUED_MESSAGES; i++) bodies.push(Buffer.allocUnsafe(BODY_SIZE));
  const after = heapBytes();
  if (bodies.length !== QUEUED_MESSAGES) throw new Error('unreachable');
  return (after - before) / QUEUED_MESSAGES;
}

/** Median and best msg/s over ROUNDS rounds. */
async function measure(ackEvery: number): Promise<{ median: number; best: number }> {
  await throughputRound(200_000, ackEvery);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    gc();
    rates.push(await throughputRound(ROUND_MESSAGES, ackEvery));
  }
  rates.sort((a, b) => a - b);
  return { median: Math.round(rates[Math.floor(rates.length / 2)]!), best: Math.round(rates[rates.length - 1]!) }; // ROUNDS > 0
}

async function main(): Promise<void> {
  const single = await measure(1);
  const batched = await measure(50);
  const bodyBytes = bodyBytesPerMessage();
  const queuedBytes = queuedBytesPerMessage();
  console.log(
    JSON.stringify({
      workload: 'E1',
      trace: TRACE ? 'on' : 'off',
      bodyBytes: BODY_SIZE,
      messagesPerRound: ROUND_MESSAGES,
      rounds: ROUNDS,
      msgPerSecMedian: single.median,
      msgPerSecBest: single.best,
      msgPerSecMedianAckEvery50: batched.median,
      msgPerSecBestAckEvery50: batched.best,
      targetMsgPerSec: 500_000,
      queuedMessages: QUEUED_MESSAGES,
      bytesPerQueuedMessageBeyondBody: Math.round(queuedBytes - BODY_SIZE),
      // The body Buffer objects' own cost (bytes - 256), included in the figure above.
      bodyBufferOverheadBytes: Math.round(bodyBytes - BODY_SIZE),
      targetBytesBeyondBody: 250,
      node: process.version,
    }),
  );
}

await main();
if (TRACE) fs.rmSync(traceDir, { recursive: true, force: true });
