// W3 of docs/benchmarks.md: fan-out. One publisher, a fanout exchange bound to 10
// queues, 10 consumers (one channel each on one connection), manual acks,
// prefetch 100, 256-byte bodies. Figure: deliveries/s.

import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { Latencies, PREFETCH, latencyMs, publishAll, round, stampedBody, until, type WorkloadResult } from './amqp-support';

const QUEUES = 10;

export async function runW3(url: string, messages = 30_000): Promise<WorkloadResult> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  try {
    const pub = await pubConn.createChannel();
    const exchange = `w3-${process.pid}-${Date.now()}`;
    await pub.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    const latencies = new Latencies(messages * QUEUES);
    let received = 0;
    for (let q = 0; q < QUEUES; q++) {
      const sub = await subConn.createChannel();
      const { queue } = await sub.assertQueue('', { exclusive: true });
      await sub.bindQueue(queue, exchange, '');
      await sub.prefetch(PREFETCH);
      await sub.consume(queue, (msg) => {
        if (!msg) return;
        latencies.add(latencyMs(msg.content));
        received++;
        sub.ack(msg);
      });
    }
    const start = performance.now();
    await publishAll(pub, messages, () => pub.publish(exchange, '', stampedBody()));
    await until(() => received === messages * QUEUES);
    const seconds = (performance.now() - start) / 1000;
    return { rate: round((messages * QUEUES) / seconds, 0), unit: 'deliveries/s', ...latencies.summary() };
  } finally {
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}
