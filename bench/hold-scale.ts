// Holding many connections and queues without stalling anyone: 3,000 AMQP
// connections and 10,000 queues are opened and declared against a durable
// Warren (test/durability/broker-only.ts, its own process), while a probe
// connection times an amqplib round trip (queue.declare passive) every 10 ms.
// Reports the probe's p50/p99/max while the load builds up and while it is
// held, and the broker's RSS. The figure to keep: p99 under 50 ms.
// Run: npx tsx bench/hold-scale.ts [--connections 3000] [--queues 10000]
// Prints one JSON line.

import amqp, { type ChannelModel } from 'amqplib';
import { makeDataDir, spawnBroker } from '../test/durability/support';
import { numberFlag } from './flags';
import { rssBytes } from './process-stats';

const CONNECTIONS = numberFlag('connections', 3_000);
const QUEUES = numberFlag('queues', 10_000);
const HOLD_MS = 10_000;

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => +sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(2);
  return { samples: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: +sorted[sorted.length - 1]!.toFixed(2) };
}

/** Times a round trip every 10 ms into `into` until stopped. */
function startProbe(conn: ChannelModel, into: () => number[]): () => Promise<void> {
  let running = true;
  const done = (async () => {
    const ch = await conn.createChannel();
    await ch.assertQueue('probe', { durable: false });
    while (running) {
      const t = process.hrtime.bigint();
      await ch.checkQueue('probe');
      into().push(Number(process.hrtime.bigint() - t) / 1e6);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return async () => {
    running = false;
    await done;
  };
}

const data = makeDataDir();
const broker = await spawnBroker(data.dir);
const probeConn = await amqp.connect(broker.url);
const building: number[] = [];
const holding: number[] = [];
let phase = building;
const stopProbe = startProbe(probeConn, () => phase);

const started = Date.now();
const admin = await amqp.connect(broker.url);
const ch = await admin.createChannel();
for (let i = 0; i < QUEUES; i++) await ch.assertQueue(`hold-${i}`, { durable: true });
const idle: ChannelModel[] = [];
for (let i = 0; i < CONNECTIONS; i += 50) {
  const batch = await Promise.all(Array.from({ length: Math.min(50, CONNECTIONS - i) }, () => amqp.connect(broker.url)));
  idle.push(...batch);
}
const buildSeconds = (Date.now() - started) / 1000;

phase = holding;
await new Promise((r) => setTimeout(r, HOLD_MS));
await stopProbe();
const brokerRss = rssBytes(broker.pid);

await Promise.all(idle.map((c) => c.close().catch(() => {})));
await admin.close();
await probeConn.close();
await broker.stop();
data.remove();

console.log(
  JSON.stringify({
    workload: 'hold-scale',
    connections: CONNECTIONS,
    queues: QUEUES,
    buildSeconds,
    roundTripWhileBuilding: summary(building),
    roundTripWhileHolding: summary(holding),
    brokerRssMiB: Math.round(brokerRss / 1048576),
    node: process.version,
  }),
);
