// W1 of BENCHMARKS.md: transient messages through a non-durable queue, one
// publisher and one consumer (separate connections), 256-byte bodies, manual
// acks, prefetch 100. Figure: msg/s end to end, p50/p99 publish→deliver.

import amqp from 'amqplib';
import { Latencies, PREFETCH, latencyMs, publishAll, round, stampedBody, until, type WorkloadResult } from './amqp-support';

export async function runW1(url: string, messages = 200_000): Promise<WorkloadResult> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  try {
    const pub = await pubConn.createChannel();
    const sub = await subConn.createChannel();
    const queue = `w1-${process.pid}-${Date.now()}`;
    await pub.assertQueue(queue, { durable: false, autoDelete: true });
    await sub.prefetch(PREFETCH);
    const latencies = new Latencies(messages);
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
    return { rate: round(messages / seconds, 0), unit: 'msg/s', ...latencies.summary() };
  } finally {
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}
