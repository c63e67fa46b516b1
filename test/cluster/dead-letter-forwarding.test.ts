// Dead letters into a queue another node owns (docs/cluster.md, Dead letters
// and moves across owners): the copy is forwarded like a publish, and the
// source queue's removal is stored once the target's owner confirmed it, so a
// take-over of the source queue afterwards finds nothing to deliver again.
// Real PostgreSQL (TEST_DATABASE_URL), nodes are child processes (node-process.ts).

import type { ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type NodeProcess, pause, SETTLE_MS, within } from './support';

describe.skipIf(!postgresUrl)('dead letters into a queue another node owns (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let d1: NodeProcess;
  let d2: NodeProcess;

  const start = (name: string) => cluster.start(name);
  const connect = (node: NodeProcess) => cluster.connect(node.url);

  beforeAll(async () => {
    await cluster.open();
    [d1, d2] = await Promise.all([start('d1'), start('d2')]);
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it("forwards rejected and expired messages of node 1's queues to node 2's dead-letter queue, and stores their removal", async () => {
    await (await (await connect(d2)).createChannel()).assertQueue('dead'); // d2 owns the dead-letter queue
    const setup = await (await connect(d1)).createChannel(); // d1 owns the work queues
    await setup.assertQueue('work', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead' } });
    await setup.assertQueue('short-lived', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead', 'x-message-ttl': 200 } });
    await pause(SETTLE_MS);

    const publisher = await (await connect(d1)).createConfirmChannel();
    for (let i = 0; i < 30; i++) publisher.sendToQueue('work', Buffer.from(`rejected ${i}`), { persistent: true });
    for (let i = 0; i < 20; i++) publisher.sendToQueue('short-lived', Buffer.from(`expired ${i}`), { persistent: true });
    await publisher.waitForConfirms();

    const worker = await (await connect(d1)).createChannel();
    await worker.consume('work', (m) => m && worker.reject(m, false));

    const dead: ConsumeMessage[] = [];
    const consumer = await (await connect(d2)).createChannel();
    await consumer.consume('dead', (m) => m && dead.push(m), { noAck: true });
    await within(10_000, 'all 50 dead letters on d2', () => dead.length >= 50);
    const bodies = dead.map((m) => m.content.toString());
    expect(bodies.filter((b) => b.startsWith('rejected')).sort()).toEqual([...Array(30).keys()].map((i) => `rejected ${i}`).sort());
    expect(bodies.filter((b) => b.startsWith('expired'))).toHaveLength(20);
    const deaths = dead.map((m) => (m.properties.headers?.['x-death'] as { queue: string; reason: string }[] | undefined)?.[0]);
    expect(deaths.filter((d) => d?.queue === 'work' && d.reason === 'rejected')).toHaveLength(30);
    expect(deaths.filter((d) => d?.queue === 'short-lived' && d.reason === 'expired')).toHaveLength(20);

    // d1 dies: d2 takes its queues over and loads them from PostgreSQL; their removals were stored, so nothing comes back.
    await pause(1_000);
    d1.signal('SIGKILL');
    await d1.exited;
    await within(15_000, 'd2 holding both leases', async () => (await cluster.ownerOf('work')) === 'd2' && (await cluster.ownerOf('short-lived')) === 'd2');
    await pause(1_500); // loaded
    const check = await (await connect(d2)).createChannel();
    expect((await check.checkQueue('work')).messageCount).toBe(0);
    expect((await check.checkQueue('short-lived')).messageCount).toBe(0);
    expect(dead).toHaveLength(50);
  }, 60_000);
});
