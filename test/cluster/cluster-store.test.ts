// Messages of durable queues in PostgreSQL (docs/cluster.md, Messages in
// PostgreSQL): the owner's confirmed messages are entry rows with its epoch,
// acks become removal ranges, a node killed with -9 during confirmed
// publishing loses no confirmed message (the new owner loads the queue), and
// a generation whose entries are all removed is dropped whole. Real
// PostgreSQL (TEST_DATABASE_URL), nodes are child processes (node-process.ts).

import type { ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, within } from './support';

describe.skipIf(!postgresUrl)('the cluster message store on PostgreSQL (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  const start = (name: string) => cluster.start(name);
  const connect = (url: string) => cluster.connect(url);

  const count = async (sql: string, params: unknown[] = []) => Number((await cluster.admin.query<{ n: string }>(sql, params)).rows[0]?.n);
  const queueId = async (name: string) => count(`SELECT id AS n FROM public."Queue" WHERE name = $1`, [name]);

  beforeAll(() => cluster.open(), 60_000);
  afterAll(() => cluster.close(), 60_000);

  it('confirms entries written with the owner epoch, stores in-order acks as few ranges, and drops a generation once all of it is removed', async () => {
    const owner = await start('s1');
    const c = await connect(owner.url);
    const ch = await c.createConfirmChannel();
    await ch.assertQueue('ledger');
    for (let i = 0; i < 200; i++) ch.sendToQueue('ledger', Buffer.from(`entry ${i}`), { persistent: true, headers: { n: i } });
    await ch.waitForConfirms();
    const id = await queueId('ledger');
    // Confirmed: so committed.
    expect(await count('SELECT count(*) AS n FROM warren_cluster.entry WHERE queue_id = $1 AND epoch = 1', [id])).toBe(200);
    const [row] = (await cluster.admin.query('SELECT body FROM warren_cluster.entry WHERE queue_id = $1 AND seq = 1', [id])).rows;
    expect(row.body.toString()).toBe('entry 0');

    const consumer = await c.createChannel();
    await consumer.prefetch(50);
    let acked = 0;
    await consumer.consume('ledger', (m) => {
      if (!m) return;
      consumer.ack(m);
      acked++;
    });
    await within(5_000, 'every message acked', () => acked === 200);
    await within(
      2_000,
      'the removals committed',
      async () => (await count('SELECT coalesce(sum(seq_hi - seq_lo + 1), 0) AS n FROM warren_cluster.removal WHERE queue_id = $1', [id])) === 200,
    );
    expect(await count('SELECT count(*) AS n FROM warren_cluster.removal WHERE queue_id = $1', [id])).toBeLessThan(20);

    // The generation all of whose entries are removed goes whole; one holding a live entry stays.
    const rotate = async () => (await cluster.admin.query<{ d: number[] }>(`SELECT warren_cluster.rotate_generations('0 seconds') AS d`)).rows[0]!.d;
    expect(await rotate()).toEqual([1]);
    expect((await cluster.admin.query(`SELECT to_regclass('warren_cluster.entry_00000001') AS t`)).rows[0].t).toBeNull();
    await ch.assertQueue('kept');
    ch.sendToQueue('kept', Buffer.from('still here'), { persistent: true });
    await ch.waitForConfirms();
    expect(await rotate()).toEqual([]);
    expect(await count(`SELECT count(*) AS n FROM warren_cluster.entry WHERE queue_id = $1 AND gen = 2`, [await queueId('kept')])).toBe(1);
    await owner.stop(); // the next test's take-over has one live node to go to
  }, 30_000);

  it('loses no confirmed message when the owner is killed with -9 during confirmed publishing: the new owner serves them all', async () => {
    const [a, b] = [await start('k1'), await start('k2')];
    const ca = await connect(a.url);
    const ch = await ca.createConfirmChannel();
    ch.on('error', () => {});
    await ch.assertQueue('payments');
    const confirmed = new Set<number>();
    let n = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        const i = n++;
        ch.sendToQueue('payments', Buffer.from(String(i)), { persistent: true }, (error) => {
          if (!error) confirmed.add(i);
        });
        if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await within(5_000, 'some confirms', () => confirmed.size > 500);
    a.signal('SIGKILL');
    publishing = false;
    await publisher;
    await a.exited;
    const cb = await connect(b.url);
    const consumer = await cb.createChannel();
    const received: ConsumeMessage[] = [];
    await consumer.consume('payments', (m) => m && received.push(m), { noAck: true });
    const served = await within(10_000, 'every confirmed message from k2', () => {
      const seen = new Set(received.map((m) => Number(m.content.toString())));
      return [...confirmed].every((i) => seen.has(i));
    });
    const bodies = received.map((m) => Number(m.content.toString()));
    const duplicates = bodies.length - new Set(bodies).size;
    console.log(`confirmed ${confirmed.size}, received ${bodies.length}, duplicates ${duplicates}, served again ${Math.round(served)} ms after the kill`);
    expect(bodies).toEqual([...bodies].sort((x, y) => x - y)); // one publisher: its order kept
  }, 40_000);
});
