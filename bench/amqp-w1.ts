// W1 of docs/benchmarks.md: transient messages through a non-durable queue, one
// publisher and one consumer (separate connections), 256-byte bodies, manual
// acks, prefetch 100. Figures: msg/s end to end with the publisher flat out
// (its p50/p99 publish→deliver are mostly time spent queued), then p50/p99
// publish→deliver at a steady 2,000 msg/s, where nothing queues up.
// Run alone: npx tsx bench/amqp-w1.ts [--trace on]   (Warren in its own process,
// every message traced with `--trace on`; prints one JSON line)

import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { startWarren } from './amqp-peers';
import { textFlag } from './flags';
import { Latencies, PREFETCH, latencyMs, publishAll, round, stampedBody, until, type WorkloadResult } from './amqp-support';

const PACED_RATE = 2000;
const PACED_BATCH = 10;
const PACED_MESSAGES = 6000;

export async function runW1(url: string, messages = 200_000): Promise<WorkloadResult> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  try {
    const pub = await pubConn.createChannel();
    const sub = await subConn.createChannel();
    const queue = `w1-${process.pid}-${Date.now()}`;
    await pub.assertQueue(queue, { durable: false, autoDelete: true });
    await sub.prefetch(PREFETCH);
    let latencies = new Latencies(messages);
    let received = 0;
    await sub.consume(queue, (msg) => {
      if (!msg) return;
      latencies.add(latencyMs(msg.content));
      received++;
      sub.ack(msg);
    });
    const start = performance.now();
    await publishAll(pub, messages, () => pub.sendToQueue(queue, stampedBody()));
    await until(() => received === messages);
    const seconds = (performance.now() - start) / 1000;
    const flatOut = latencies.summary();

    const paced = new Latencies(PACED_MESSAGES);
    latencies = paced;
    received = 0;
    for (let i = 0; i < PACED_MESSAGES; i += PACED_BATCH) {
      for (let k = 0; k < PACED_BATCH; k++) pub.sendToQueue(queue, stampedBody());
      await new Promise((r) => setTimeout(r, (1000 * PACED_BATCH) / PACED_RATE));
    }
    await until(() => received === PACED_MESSAGES);
    const steady = paced.summary();
    return {
      rate: round(messages / seconds, 0),
      unit: 'msg/s',
      ...flatOut,
      extra: { pacedRate: PACED_RATE, pacedP50Ms: steady.p50Ms, pacedP99Ms: steady.p99Ms },
    };
  } finally {
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const trace = textFlag('trace', 'off');
  const warren = await startWarren(['--trace', trace]);
  try {
    console.log(JSON.stringify({ workload: 'W1', trace, ...(await runW1(warren.url)) }));
  } finally {
    await warren.stop();
  }
}
