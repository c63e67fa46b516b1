import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, spawnBroker, type BrokerProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// A Warren process is stopped (SIGTERM) and a new one started on the same
// data directory: what amqplib declared durable and published persistent
// with confirms is all there, in order; what was transient is gone.

const cleanup = cleanupAfterEach();

/** Whether a queue or exchange exists, asked on a channel of its own (a 404 closes it). */
async function exists(conn: ChannelModel, kind: 'queue' | 'exchange', name: string): Promise<boolean> {
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  try {
    if (kind === 'queue') await ch.checkQueue(name);
    else await ch.checkExchange(name);
    await ch.close();
    return true;
  } catch {
    return false;
  }
}

/** Consumes and acks `count` messages, waits a moment for extra ones, and cancels. */
async function drain(ch: Channel, queue: string, count: number): Promise<ConsumeMessage[]> {
  const got: ConsumeMessage[] = [];
  const { consumerTag } = await ch.consume(queue, (msg) => {
    if (!msg) return;
    got.push(msg);
    ch.ack(msg);
  });
  await waitFor(() => got.length >= count, 10_000, `${count} messages from ${queue}`);
  await new Promise((r) => setTimeout(r, 100));
  await ch.cancel(consumerTag);
  return got;
}

describe('restart on the same data directory', () => {
  it('brings back durable topology and every confirmed persistent message in order, redelivered when it had been delivered', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    let running: BrokerProcess = await spawnBroker(data.dir);
    cleanup.push(() => void running.kill());

    const before = await cleanup.connect(running.url);
    const pub = await before.createConfirmChannel();
    await pub.assertExchange('orders', 'topic', { durable: true });
    await pub.assertExchange('audit', 'fanout', { durable: true, arguments: { 'x-note': 'kept' } });
    await pub.assertQueue('orders.q', { durable: true, arguments: { 'x-max-length': 100_000, 'x-message-ttl': 3_600_000 } });
    await pub.assertQueue('audit.q', { durable: true });
    await pub.bindQueue('orders.q', 'orders', 'order.*');
    await pub.bindExchange('audit', 'orders', '#');
    await pub.bindQueue('audit.q', 'audit', '');
    await pub.assertExchange('scratch', 'direct', { durable: false });
    await pub.assertQueue('scratch.q', { durable: false });
    await pub.assertQueue('mine', { durable: true, exclusive: true });
    await pub.bindQueue('mine', 'orders', '#');
    for (let i = 0; i < 100; i++) {
      pub.publish('orders', 'order.new', Buffer.from(`order ${i}`), { persistent: true, headers: { n: i } });
      if (i % 10 === 5) pub.publish('orders', 'order.new', Buffer.from(`transient ${i}`), { persistent: false });
    }
    await pub.waitForConfirms();

    // Three messages go to a consumer and stay unacked through the restart.
    const sub = await before.createChannel();
    await sub.prefetch(3);
    const unacked: ConsumeMessage[] = [];
    await sub.consume('orders.q', (msg) => msg && unacked.push(msg));
    await waitFor(() => unacked.length === 3, 5000, 'three deliveries');
    await new Promise((r) => setTimeout(r, 50)); // let the delivered records reach the journal's buffer
    expect(await running.stop()).toBe(0);

    running = await spawnBroker(data.dir);
    expect(running.output.join('\n')).toMatch(/recovered 2 exchanges, 2 queues, 3 bindings and 200 messages/);
    const after = await cleanup.connect(running.url);
    expect(await exists(after, 'exchange', 'orders')).toBe(true);
    expect(await exists(after, 'exchange', 'audit')).toBe(true);
    expect(await exists(after, 'exchange', 'scratch')).toBe(false);
    expect(await exists(after, 'queue', 'scratch.q')).toBe(false);
    expect(await exists(after, 'queue', 'mine')).toBe(false);

    const ch = await after.createChannel();
    expect((await ch.checkQueue('orders.q')).messageCount).toBe(100);
    const orders = await drain(ch, 'orders.q', 100);
    expect(orders.map((m) => m.content.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `order ${i}`));
    expect(orders.map((m) => m.fields.redelivered)).toEqual(Array.from({ length: 100 }, (_, i) => i < 3));
    expect(orders[42].properties.headers).toMatchObject({ n: 42 });
    expect(orders[42].properties.deliveryMode).toBe(2);
    const audit = await drain(ch, 'audit.q', 100);
    expect(audit.map((m) => m.content.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `order ${i}`));

    // The restored bindings route new messages, and the restored arguments still apply.
    const pub2 = await after.createConfirmChannel();
    pub2.publish('orders', 'order.late', Buffer.from('late'), { persistent: true });
    await pub2.waitForConfirms();
    const late = await (await after.createChannel()).get('orders.q');
    expect(late && late.content.toString()).toBe('late');
    await expect(pub2.assertQueue('orders.q', { durable: true })).rejects.toThrow(/PRECONDITION_FAILED|inequivalent/);
  });
});
