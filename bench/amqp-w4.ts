// W4 of docs/benchmarks.md: topic routing through 1,000 bindings of mixed `*` and
// `#` patterns. 999 bindings (to 9 queues nobody reads) never match the
// published keys but must be considered; one binding, `bench.*.#`, routes
// every message to the consumed queue. Figure: msg/s end to end.

import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { Latencies, PREFETCH, latencyMs, publishAll, round, stampedBody, until, type WorkloadResult } from './amqp-support';

const BINDINGS = 1000;

function decoyPattern(i: number): string {
  switch (i % 4) {
    case 0:
      return `orders.${i}.*`;
    case 1:
      return `*.region${i}.#`;
    case 2:
      return `#.tail${i}`;
    default:
      return `audit.*.k${i}.#`;
  }
}

export async function runW4(url: string, messages = 100_000): Promise<WorkloadResult> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  try {
    const pub = await pubConn.createChannel();
    const sub = await subConn.createChannel();
    const exchange = `w4-${process.pid}-${Date.now()}`;
    await pub.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
    const decoys: string[] = [];
    for (let q = 0; q < 9; q++) decoys.push((await pub.assertQueue('', { exclusive: true })).queue);
    for (let i = 0; i < BINDINGS - 1; i++) await pub.bindQueue(decoys[i % decoys.length]!, exchange, decoyPattern(i));
    const { queue } = await sub.assertQueue('', { exclusive: true });
    await sub.bindQueue(queue, exchange, 'bench.*.#');
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
    await publishAll(pub, messages, (i) => pub.publish(exchange, `bench.k${i % 500}.region${i % 7}.x`, stampedBody()));
    await until(() => received === messages);
    const seconds = (performance.now() - start) / 1000;
    return { rate: round(messages / seconds, 0), unit: 'msg/s', ...latencies.summary() };
  } finally {
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}
