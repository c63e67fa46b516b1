// Moving a queue to another node from the console (docs/cluster.md, Moving a
// queue): the owner stops serving it and hands its lease over at the next
// epoch, the target loads it from PostgreSQL and serves it; a consumer on a
// third node follows without subscribing again, and no message is lost.
// Real PostgreSQL (TEST_DATABASE_URL); one node in this process (for the
// console API), two as child processes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type InProcessNode, type NodeProcess, pause, SETTLE_MS, within } from './support';

describe.skipIf(!postgresUrl)('moving a queue to another node (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let console1: InProcessNode;
  let n2: NodeProcess;
  let n3: NodeProcess;
  const connect = (url: string) => cluster.connect(url);
  const as = (name: string, tags: string[]) =>
    appRouter.createCaller({ services: console1.services, user: { name, tags }, peerAddress: '127.0.0.1', setCookie: () => {} });
  const admin = () => as('guest', ['administrator']);

  beforeAll(async () => {
    await cluster.open();
    console1 = await cluster.startInProcess('m1');
    n2 = await cluster.start('m2');
    n3 = await cluster.start('m3');
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it('hands the queue to the chosen node; its consumer elsewhere follows and gets every message', async () => {
    const publisher = await (await connect(n2.url)).createConfirmChannel();
    await publisher.assertQueue('moving'); // declared on m2: m2 owns it
    const body = (i: number) => Buffer.from(`message ${i}`);
    for (let i = 0; i < 200; i++) publisher.sendToQueue('moving', body(i), { persistent: true });
    await publisher.waitForConfirms();
    await pause(SETTLE_MS);
    expect((await admin().queues.get({ vhost: '/', name: 'moving' })).node).toBe('m2');
    // m1's copy of the queue is empty: its console shows the owner's counts, written with m2's heartbeats.
    await within(5_000, "m1's console showing m2's 200 ready", async () => (await admin().queues.get({ vhost: '/', name: 'moving' })).ready === 200);
    const listed = (await admin().queues.list({ vhost: '/', sort: 'ready', dir: 'desc' })).rows.find((q) => q.name === 'moving');
    expect(listed).toMatchObject({ ready: 200, unacked: 0, total: 200, node: 'm2' });

    const seen = new Set<string>();
    let deliveries = 0;
    /** The redelivered flag of each message that came a second time. */
    const repeats: boolean[] = [];
    const consumer = await (await connect(n3.url)).createChannel();
    await consumer.prefetch(10);
    await consumer.consume('moving', (m) => {
      if (m === null) return;
      deliveries++;
      if (seen.has(m.content.toString())) repeats.push(m.fields.redelivered);
      seen.add(m.content.toString());
      setTimeout(() => consumer.ack(m), 100); // slow, so that the move comes with deliveries unacked and messages ready
    });
    await within(10_000, 'the first 50 consumed on m3 through m2', () => seen.size >= 50);

    expect(await admin().cluster.moveQueue({ vhost: '/', name: 'moving', node: 'm3' })).toEqual({ requested: true });
    const movedInMs = await within(10_000, 'm3 serving the queue', async () => (await admin().queues.get({ vhost: '/', name: 'moving' })).node === 'm3');

    // Published on the old owner right after the move: held until m2 sees m3's lease and m3 has loaded the
    // queue, then forwarded to m3 and consumed there by the same consumer. None is refused meanwhile.
    const confirms = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) => new Promise<boolean>((resolve) => publisher.sendToQueue('moving', body(200 + i), { persistent: true }, (err) => resolve(!err))),
      ),
    );
    const nacked = confirms.filter((ok) => !ok).length;
    expect(nacked).toBe(0);
    await within(15_000, 'all 400 consumed', () => seen.size === 400);
    console.log(`moved to m3 in ${movedInMs.toFixed(0)} ms (as the console saw it); ${deliveries - seen.size} delivered twice, ${nacked} publishes nacked`);
    expect([...seen].sort()).toEqual(Array.from({ length: 400 }, (_, i) => `message ${i}`).sort());
    // Those unacked at the move come again from m3, which knows from m2's delivered mark that they may have been delivered.
    expect(repeats.length).toBeGreaterThan(0);
    expect(repeats.every((redelivered) => redelivered)).toBe(true);
    expect(n2.output.join('\n')).toMatch(/handed queue 'moving' in vhost '\/' to node 'm3' \(epoch 2\)/);
    const [entry] = await console1.services.db.prisma.auditEntry.findMany({ where: { action: 'queue.move-node' } });
    expect(entry).toMatchObject({ user: 'guest', target: "queue 'moving' in vhost '/'" });
  }, 60_000);

  it('says what is wrong with a move that cannot be done', async () => {
    await (await (await connect(n2.url)).createChannel()).assertQueue('staying');
    await pause(SETTLE_MS);
    await expect(admin().cluster.moveQueue({ vhost: '/', name: 'staying', node: 'nowhere' })).rejects.toThrow("There is no node 'nowhere' in this cluster.");
    await expect(admin().cluster.moveQueue({ vhost: '/', name: 'staying', node: 'm2' })).rejects.toThrow("Queue 'staying' is served by node 'm2' already.");
    await expect(admin().cluster.moveQueue({ vhost: '/', name: 'missing', node: 'm3' })).rejects.toThrow("There is no queue 'missing' in vhost '/'.");
    await console1.users.create('ops', { password: 'ops-secret' }, ['management']);
    await console1.users.setPermission('ops', '/', { configure: '.*', write: '.*', read: '.*' });
    await expect(as('ops', ['management']).cluster.moveQueue({ vhost: '/', name: 'staying', node: 'm3' })).rejects.toThrow(/administrator/);
  }, 30_000);
});
