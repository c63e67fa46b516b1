import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { CaptureStore } from './capture-store';
import { getWhenThere, serveBroker } from './support';

// A restart in the middle of a tier, simulated the way the durability layer
// recovers: the store kept what the engine reported (held messages included),
// a new Broker is re-declared from it and its messages restored.

describe('retry tiers across a restart', () => {
  it('a message held in a tier comes back after the restart at its original due time, with its headers', async () => {
    const store = new CaptureStore();
    const running = store.restart();
    const before = await serveBroker(running);
    await before.ch.assertQueue('billing', { durable: true, arguments: { 'x-retry-tiers': ['400ms', '1h'] } });
    before.ch.sendToQueue('billing', Buffer.from('invoice-7'), { persistent: true });
    const first = await getWhenThere(before.ch, 'billing', 2000);
    before.ch.nack(first, false, false);
    const tierBefore = await waitFor(() => running.retries.get('/', 'billing').tiers.find((t) => t.count === 1), 2000, 'the hold');
    expect(store.held('/', 'amq.retry.billing.tier1-400ms')).toHaveLength(1);
    await before.stop();
    const dueAt = tierBefore!.nextDueAt as number;

    // Restart: nothing but the store survives.
    const recovered = store.restart();
    const tier = recovered.retries.get('/', 'billing').tiers[0]!;
    expect([tier.count, tier.nextDueAt]).toEqual([1, dueAt]);
    const after = await serveBroker(recovered);
    try {
      const back = await getWhenThere(after.ch, 'billing', 3000);
      expect(Date.now()).toBeGreaterThanOrEqual(dueAt - 1);
      expect(back.content.toString()).toBe('invoice-7');
      expect(back.properties.headers).toMatchObject({ 'x-retry-attempt': 1, 'x-retry-tier': '400ms', 'x-retry-due-at': dueAt });
      expect(back.properties.deliveryMode).toBe(2);
      // Back in the work queue, out of the holding area, in the store as well.
      expect(store.held('/', 'amq.retry.billing.tier1-400ms')).toHaveLength(0);
      expect(store.held('/', 'billing').map((m) => m.body.toString())).toEqual(['invoice-7']);
      after.ch.ack(back);
    } finally {
      await after.stop();
    }
  });

  it('a message whose due time passed while the broker was down returns as soon as it starts', async () => {
    let now = Date.UTC(2026, 0, 2);
    const store = new CaptureStore();
    const broker = store.restart({ now: () => now });
    broker.declareQueue('/', 'q', { durable: true, arguments: { 'x-retry-tiers': ['5m'] } });
    broker.publish('/', '', 'q', { deliveryMode: 2 }, Buffer.from('m'));
    const channel = broker.openConnection({ vhost: '/', user: 'guest', clientProperties: {}, peerAddress: 'test' }).openChannel(1);
    channel.reject(channel.get('q', false)!.deliveryTag, false);
    broker.close();
    now += 10 * 60_000;
    const recovered = store.restart({ now: () => now });
    try {
      await waitFor(() => recovered.getQueue('/', 'q').ready === 1, 1000, 'the overdue message');
      expect(recovered.retries.get('/', 'q').tiers[0]!.count).toBe(0);
    } finally {
      recovered.close();
    }
  });

  it('transient messages and non-durable queues keep nothing in the store', async () => {
    const store = new CaptureStore();
    const broker = store.restart();
    broker.declareQueue('/', 'durable', { durable: true, arguments: { 'x-retry-tiers': ['1h'] } });
    broker.declareQueue('/', 'transient', { arguments: { 'x-retry-tiers': ['1h'] } });
    const channel = broker.openConnection({ vhost: '/', user: 'guest', clientProperties: {}, peerAddress: 'test' }).openChannel(1);
    broker.publish('/', '', 'durable', {}, Buffer.from('not persistent'));
    broker.publish('/', '', 'transient', { deliveryMode: 2 }, Buffer.from('persistent'));
    for (const q of ['durable', 'transient']) channel.reject(channel.get(q, false)!.deliveryTag, false);
    broker.close();
    expect(store.events).toEqual([]);
    const recovered = store.restart();
    expect(recovered.retries.get('/', 'durable').tiers[0]!.count).toBe(0);
    expect(() => recovered.getQueue('/', 'transient')).toThrow(/NOT_FOUND/);
    recovered.close();
  });
});
