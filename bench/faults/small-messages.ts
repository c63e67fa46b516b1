// Fault run: a fast publisher of 10-byte transient messages into a queue with
// no consumer, against a durable Warren with its default heap (its own
// process). Before the memory alarm watched the V8 heap, this filled the heap
// (16.6 M messages, 62 s) and the process died of "heap out of memory" with
// no connection.blocked sent. Reports when the publisher was blocked, how many
// messages were queued, the broker's RSS then, and that it still serves.
// Run: npx tsx bench/faults/small-messages.ts        Prints one JSON line.

import amqp from 'amqplib';
import { makeDataDir, spawnBroker } from '../../test/durability/support';
import { publishUntilBlocked } from '../../test/support/publish-until-blocked';
import { rssBytes } from '../process-stats';

const data = makeDataDir();
const broker = await spawnBroker(data.dir);
const conn = await amqp.connect(broker.url);
const ch = await conn.createChannel();
await ch.assertQueue('small', { durable: false });
const started = Date.now();
const { reason: blockedReason, sent } = await publishUntilBlocked(conn, ch, 'small', Buffer.from('0123456789'), 50_000_000);
const blockedAfterSeconds = (Date.now() - started) / 1000;
const rssAtBlock = Math.round(rssBytes(broker.pid) / 1048576);

const check = await amqp.connect(broker.url);
const cch = await check.createChannel();
const queued = (await cch.checkQueue('small')).messageCount;
// Still serving: a consumer drains the queue, then the alarm clears (on the measure that raised it).
const drainStarted = Date.now();
await cch.purgeQueue('small');
const unblocked = await Promise.race([
  new Promise<boolean>((resolve) => conn.once('unblocked', () => resolve(true))),
  new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 60_000)),
]);
const unblockedAfterSeconds = (Date.now() - drainStarted) / 1000;
await cch.assertQueue('probe', { durable: false });
cch.sendToQueue('probe', Buffer.from('alive'));
await new Promise((r) => setTimeout(r, 100));
const aliveAfter = ((await cch.get('probe', { noAck: true })) || undefined)?.content.toString() === 'alive';
await check.close();
await conn.close().catch(() => {});
await broker.stop();
data.remove();
console.log(
  JSON.stringify({
    fault: 'small-messages',
    blockedReason,
    blockedAfterSeconds,
    sent,
    queued,
    brokerRssMiBAtBlock: rssAtBlock,
    unblocked,
    unblockedAfterSeconds,
    aliveAfter,
    heapOutOfMemory: broker.output.some((l) => /heap out of memory/.test(l)),
  }),
);
