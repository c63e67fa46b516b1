// Any node serves any client (docs/cluster.md, The forwarding path): three
// node processes on one PostgreSQL; a publish on one node to a queue another
// node owns is forwarded and confirmed after the owner's confirm, a consumer
// on a third node gets every message in order with its own prefetch, and a
// consumer's node that dies gives its unacked messages back to the owner.
// Real PostgreSQL (TEST_DATABASE_URL), nodes are child processes (node-process.ts).

import type { ConsumeMessage, GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../db/helpers';
import { ClusterFixture, type NodeProcess, pause, SETTLE_MS, within } from './support';

describe.skipIf(!postgresUrl)('forwarding between cluster nodes (needs TEST_DATABASE_URL, see scripts/start-test-postgres.sh)', () => {
  const cluster = new ClusterFixture(postgresUrl as string);
  let n1: NodeProcess;
  let n2: NodeProcess;
  let n3: NodeProcess;
  const connect = (node: NodeProcess) => cluster.connect(node.url);

  beforeAll(async () => {
    await cluster.open();
    n1 = await cluster.start('f1');
    n2 = await cluster.start('f2');
    n3 = await cluster.start('f3');
  }, 60_000);

  afterAll(() => cluster.close(), 60_000);

  it('confirms on node 2 a publish to a queue node 1 owns, and a consumer on node 3 gets every message in order, as published', async () => {
    const owner = await (await connect(n1)).createChannel();
    await owner.assertQueue('orders'); // declared on f1: f1 owns it
    await owner.bindQueue('orders', 'amq.direct', 'order.created');
    await pause(SETTLE_MS);

    const publisher = await (await connect(n2)).createConfirmChannel();
    const confirmed: number[] = [];
    const nacked: number[] = [];
    for (let i = 0; i < 300; i++) {
      publisher.publish('amq.direct', 'order.created', Buffer.from(String(i)), { persistent: true, headers: { n: i }, messageId: `m${i}` }, (error) =>
        (error ? nacked : confirmed).push(i),
      );
    }
    await publisher.waitForConfirms().catch(() => {});
    expect(nacked).toEqual([]);
    expect(confirmed).toHaveLength(300);

    const consumer = await (await connect(n3)).createChannel();
    const received: ConsumeMessage[] = [];
    await consumer.prefetch(50);
    await consumer.consume('orders', (m) => {
      if (!m) return;
      received.push(m);
      consumer.ack(m);
    });
    await within(10_000, 'all 300 on f3', () => received.length >= 300);
    expect(received.map((m) => Number(m.content.toString()))).toEqual([...Array(300).keys()]);
    const first = received[0]!;
    expect(first.fields.exchange).toBe('amq.direct');
    expect(first.fields.routingKey).toBe('order.created');
    expect(first.properties.messageId).toBe('m0');
    expect(first.properties.headers).toEqual({ n: 0 });
    // Acked through f3: nothing is left on the owner.
    await within(5_000, 'the owner has none left', async () => (await owner.checkQueue('orders')).messageCount === 0);
  }, 60_000);

  it("keeps a consumer's prefetch of 10 across nodes, and its acks free room on the owner", async () => {
    const owner = await (await connect(n1)).createConfirmChannel();
    await owner.assertQueue('prefetched');
    for (let i = 0; i < 50; i++) owner.sendToQueue('prefetched', Buffer.from(String(i)), { persistent: true });
    await owner.waitForConfirms();
    await pause(SETTLE_MS);

    const consumer = await (await connect(n3)).createChannel();
    await consumer.prefetch(10);
    const received: ConsumeMessage[] = [];
    await consumer.consume('prefetched', (m) => m && received.push(m));
    await within(5_000, '10 deliveries', () => received.length === 10);
    await pause(500);
    expect(received).toHaveLength(10);
    const onOwner = await owner.checkQueue('prefetched');
    expect(onOwner.messageCount).toBe(40);
    // The declare-ok on node 3 has the owner's counts.
    expect(await consumer.checkQueue('prefetched')).toMatchObject({ messageCount: 40, consumerCount: 1 });
    consumer.ack(received[4]!, true); // 5 acked with multiple
    await within(5_000, '15 deliveries', () => received.length === 15);
    await pause(500);
    expect(received).toHaveLength(15);
    expect(received.map((m) => Number(m.content.toString()))).toEqual([...Array(15).keys()]);
  }, 30_000);

  it('answers basic.get on node 3 from the owner on node 1, and relays its ack', async () => {
    const owner = await (await connect(n1)).createConfirmChannel();
    await owner.assertQueue('fetched');
    for (let i = 0; i < 3; i++) owner.sendToQueue('fetched', Buffer.from(`got ${i}`), { persistent: true });
    await owner.waitForConfirms();
    await pause(SETTLE_MS);

    const getter = await (await connect(n3)).createChannel();
    const first = await getter.get('fetched');
    expect(first && [first.content.toString(), first.fields.messageCount, first.fields.deliveryTag]).toEqual(['got 0', 2, 1]);
    getter.ack(first as GetMessage);
    const second = await getter.get('fetched', { noAck: true });
    expect(second !== false && second.content.toString()).toBe('got 1');
    await within(5_000, 'one left on the owner', async () => (await owner.checkQueue('fetched')).messageCount === 1);
    const third = await getter.get('fetched');
    expect(third && [third.content.toString(), third.fields.deliveryTag]).toEqual(['got 2', 3]);
    getter.nack(third as GetMessage, false, true); // back on the owner
    const again = await getter.get('fetched', { noAck: true });
    expect(again && [again.content.toString(), again.fields.redelivered]).toEqual(['got 2', true]);
    expect(await getter.get('fetched')).toBe(false);
  }, 30_000);

  it('confirms a publish routed to queues of two owners only once both confirmed', async () => {
    const c1 = await (await connect(n1)).createChannel();
    const c2 = await (await connect(n2)).createChannel();
    await c1.assertExchange('both', 'fanout');
    await c1.assertQueue('on-f1');
    await c2.assertQueue('on-f2');
    await c1.bindQueue('on-f1', 'both', '');
    await c2.bindQueue('on-f2', 'both', '');
    await pause(SETTLE_MS);

    const publisher = await (await connect(n3)).createConfirmChannel();
    let confirmedAt = 0;
    n2.signal('SIGSTOP'); // f2 cannot confirm while stopped (shorter than its lease: it keeps its queues)
    const stoppedAt = performance.now();
    publisher.publish('both', '', Buffer.from('to both'), { persistent: true }, (error) => {
      if (!error) confirmedAt = performance.now();
    });
    await pause(1_500);
    expect(confirmedAt).toBe(0);
    n2.signal('SIGCONT');
    await within(5_000, 'the confirm', () => confirmedAt > 0);
    expect(confirmedAt - stoppedAt).toBeGreaterThan(1_500);
    expect((await c1.checkQueue('on-f1')).messageCount).toBe(1);
    expect((await c2.checkQueue('on-f2')).messageCount).toBe(1);
  }, 30_000);

  it('requeues on the owner what a consumer on a node killed with -9 had unacked, marked redelivered', async () => {
    const owner = await (await connect(n1)).createConfirmChannel();
    await owner.assertQueue('abandoned');
    for (let i = 0; i < 20; i++) owner.sendToQueue('abandoned', Buffer.from(String(i)), { persistent: true });
    await owner.waitForConfirms();
    const doomed = await cluster.start('f4');
    await pause(SETTLE_MS);
    const remote = await (await connect(doomed)).createChannel();
    remote.on('error', () => {});
    await remote.prefetch(5);
    const held: ConsumeMessage[] = [];
    await remote.consume('abandoned', (m) => m && held.push(m));
    await within(5_000, '5 held on f4', () => held.length === 5);
    expect((await owner.checkQueue('abandoned')).messageCount).toBe(15);

    doomed.signal('SIGKILL');
    await doomed.exited;
    await within(5_000, 'all 20 ready on the owner again', async () => (await owner.checkQueue('abandoned')).messageCount === 20);
    const again: ConsumeMessage[] = [];
    await owner.consume('abandoned', (m) => m && again.push(m), { noAck: true });
    await within(5_000, 'all 20 again', () => again.length === 20);
    expect(again.slice(0, 5).map((m) => [Number(m.content.toString()), m.fields.redelivered])).toEqual(held.map((m) => [Number(m.content.toString()), true]));
    expect(again.slice(5).every((m) => !m.fields.redelivered)).toBe(true);
  }, 40_000);
});
