// Queue ownership in cluster mode (docs/cluster.md, Queue ownership: leases
// and epochs): a durable queue is owned by the node that declared it, at
// epoch 1; only its owner delivers from it; when the owner is gone another
// live node takes the lease over with the next epoch; PostgreSQL refuses a
// write fenced with the old epoch; an owner paused past its lease serves
// nothing from its own copy once it wakes (its consumer follows the queue to
// the new owner). Real PostgreSQL (TEST_DATABASE_URL), nodes are child
// processes (node-process.ts).

import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, within } from './support';

interface LeaseRow {
  queue_id: number;
  node: string;
  epoch: string;
  takeovers: number;
}

describe.skipIf(!postgresUrl)('queue leases on PostgreSQL (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  const start = (name: string) => cluster.start(name);
  const connect = (url: string) => cluster.connect(url);

  const lease = async (queue: string): Promise<LeaseRow | undefined> =>
    (
      await cluster.admin.query<LeaseRow>(
        `SELECT l.queue_id, l.node, l.epoch::text AS epoch, l.takeovers
           FROM warren_cluster.queue_lease l JOIN public."Queue" q ON q.id = l.queue_id WHERE q.name = $1`,
        [queue],
      )
    ).rows[0];
  /** Publishes `count` persistent messages into the copy of `queue` on the node behind `connection`. */
  const publish = async (connection: ChannelModel, queue: string, count: number) => {
    const ch = await connection.createConfirmChannel();
    for (let i = 0; i < count; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`), { persistent: true });
    await ch.waitForConfirms();
    await ch.close();
  };
  const consume = async (channel: Channel, queue: string) => {
    const received: ConsumeMessage[] = [];
    const ok = channel.consume(queue, (m) => m && received.push(m), { noAck: true });
    return { received, ok };
  };

  beforeAll(() => cluster.open(), 60_000);
  afterAll(() => cluster.close(), 60_000);

  it('leases a new durable queue to its declaring node; another node takes it over after a kill -9, at the next epoch', async () => {
    const [a, b] = [await start('a1'), await start('b1')];
    const [ca, cb] = [await connect(a.url), await connect(b.url)];
    await (await ca.createChannel()).assertQueue('jobs');
    expect(await lease('jobs')).toMatchObject({ node: 'a1', epoch: '1', takeovers: 0 });
    await publish(ca, 'jobs', 3);
    await within(1_000, 'jobs on b1', async () => {
      const ch = await cb.createChannel();
      ch.on('error', () => {});
      return ch.checkQueue('jobs').then(
        () => true,
        () => false,
      );
    });
    a.signal('SIGKILL');
    const killedAt = performance.now();
    // A consumer on b1 while a1's lease still holds: nothing can serve it until b1 takes the queue over.
    const onB = await consume(await cb.createChannel(), 'jobs');
    await onB.ok;
    await within(10_000, 'the lease taken over by b1', async () => (await lease('jobs'))?.node === 'b1');
    const tookMs = performance.now() - killedAt;
    expect(await lease('jobs')).toMatchObject({ node: 'b1', epoch: '2', takeovers: 1 });
    // The new owner loads the queue from PostgreSQL and delivers it to the consumer that waited.
    await within(2_000, 'the deliveries on b1', () => onB.received.length === 3);
    expect(onB.received.map((m) => m.content.toString())).toEqual(['m0', 'm1', 'm2']);
    expect(b.output.join('\n')).toContain("took over queue 'jobs' in vhost '/' (epoch 2): its owner is gone");
    expect(tookMs).toBeGreaterThan(3_000); // not before a1's lease (5 s after its last heartbeat) ran out
  }, 30_000);

  it('refuses in PostgreSQL a write fenced with a stale epoch; an owner paused past its lease serves nothing from its own copy when it wakes', async () => {
    const a = await start('a2');
    await start('b2');
    const ca = await connect(a.url);
    const ch = await ca.createChannel();
    await ch.assertQueue('orders');
    await publish(ca, 'orders', 5);
    // The owner delivers while its lease holds.
    expect(await ch.get('orders', { noAck: true })).toMatchObject({ content: Buffer.from('m0') });
    const { queue_id: id } = (await lease('orders'))!;
    await cluster.admin.query('SELECT warren_cluster.check_fence($1, $2, $3)', ['a2', [id], ['1']]);

    const consumer = await ca.createChannel();
    a.signal('SIGSTOP');
    const onA = await consume(consumer, 'orders'); // reaches a2 when it wakes
    // Taken by one of the live nodes (b2, or b1 of the test before).
    await within(10_000, 'the lease taken over', async () => (await lease('orders'))?.node !== 'a2');
    const owner = (await lease('orders'))!.node;
    expect(await lease('orders')).toMatchObject({ epoch: '2', takeovers: 1 });

    // A write with the old owner's epoch: PostgreSQL refuses it (WR001); the new owner's passes.
    await expect(cluster.admin.query('SELECT warren_cluster.check_fence($1, $2, $3)', ['a2', [id], ['1']])).rejects.toMatchObject({ code: 'WR001' });
    await cluster.admin.query('SELECT warren_cluster.check_fence($1, $2, $3)', [owner, [id], ['2']]);

    a.signal('SIGCONT');
    await onA.ok; // a2 answers the consume: it runs again
    // a2 never serves from its own copy again: its consumer follows the queue to the new owner, which serves the 4 left once.
    await within(10_000, 'the 4 left, from the new owner', () => onA.received.length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(onA.received.map((m) => m.content.toString())).toEqual(['m1', 'm2', 'm3', 'm4']);
    const onOwner = await (await connect(cluster.process(owner)!.url)).createChannel();
    expect((await onOwner.checkQueue('orders')).messageCount).toBe(0); // taken on the owner, not on a2's copy
    expect(await ch.get('orders', { noAck: true })).toBe(false);
    await within(3_000, "a2's line", () => a.output.some((line) => line.includes('ran out before it was renewed')));
    expect(await lease('orders')).toMatchObject({ node: owner, epoch: '2' }); // a2 did not take it back
  }, 30_000);
});
