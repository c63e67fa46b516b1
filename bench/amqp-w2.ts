// W2 of docs/benchmarks.md: persistent messages to a durable queue with publisher
// confirms (up to 1,000 unconfirmed in flight), one consumer with manual
// acks, prefetch 100. Figures: msg/s; p99 publish→confirm and publish→deliver.

import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { Latencies, PREFETCH, latencyMs, round, stampedBody, until, type WorkloadResult } from './amqp-support';

const IN_FLIGHT = 1000;

export async function runW2(url: string, messages = 100_000): Promise<WorkloadResult> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  try {
    const pub = await pubConn.createConfirmChannel();
    const sub = await subConn.createChannel();
    const queue = `w2-${process.pid}-${Date.now()}`;
    await pub.assertQueue(queue, { durable: true });
    await sub.prefetch(PREFETCH);
    const deliver = new Latencies(messages);
    const confirm = new Latencies(messages);
    let received = 0;
    await sub.consume(queue, (msg) => {
      if (!msg) return;
      deliver.add(latencyMs(msg.content));
      received++;
      sub.ack(msg);
    });
    let confirmed = 0;
    let waiting: (() => void) | null = null;
    const start = performance.now();
    for (let i = 0; i < messages; i++) {
      if (i - confirmed >= IN_FLIGHT) await new Promise<void>((resolve) => (waiting = resolve));
      const sentAt = performance.now();
      pub.sendToQueue(queue, stampedBody(), { persistent: true }, (err) => {
        if (err) throw err;
        confirm.add(performance.now() - sentAt);
        confirmed++;
        if (waiting && i - confirmed < IN_FLIGHT / 2) {
          const w = waiting;
          waiting = null;
          w();
        }
      });
    }
    await until(() => received === messages && confirmed === messages);
    const seconds = (performance.now() - start) / 1000;
    await pub.deleteQueue(queue);
    const c = confirm.summary();
    const d = deliver.summary();
    return { rate: round(messages / seconds, 0), unit: 'msg/s', p50Ms: d.p50Ms, p99Ms: d.p99Ms, extra: { confirmP50Ms: c.p50Ms, confirmP99Ms: c.p99Ms } };
  } finally {
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}
