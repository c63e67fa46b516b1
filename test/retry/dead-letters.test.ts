import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { CaptureStore } from './capture-store';
import { serveBroker } from './support';

// Requeueing from a dead-letter queue, with a real consumer on the work queue.

describe('dead-letter requeue over AMQP', () => {
  it('requeue of everything delivers each message exactly once, even when asked twice at the same time', async () => {
    const store = new CaptureStore();
    const broker = store.restart();
    const { ch, stop } = await serveBroker(broker);
    try {
      await ch.assertQueue('orders', { durable: true, arguments: { 'x-retry-tiers': ['10ms'] } });
      let fixed = false;
      const delivered = new Map<string, number>();
      await ch.prefetch(200);
      await ch.consume('orders', (m) => {
        if (!m) return;
        if (!fixed) return ch.nack(m, false, false);
        const body = m.content.toString();
        delivered.set(body, (delivered.get(body) ?? 0) + 1);
        ch.ack(m);
      });
      const count = 2500;
      for (let i = 0; i < count; i++) ch.sendToQueue('orders', Buffer.from(`order-${i}`), { persistent: true });
      await waitFor(() => broker.getQueue('/', 'orders.dlq').ready === count, 10_000, 'every order dead');

      // The bug is fixed; the operator clicks "requeue all" twice.
      fixed = true;
      const [a, b] = await Promise.all([
        broker.deadLetters.requeue('/', 'orders.dlq', { filter: {} }),
        broker.deadLetters.requeue('/', 'orders.dlq', { filter: {} }),
      ]);
      expect(a.requeued + b.requeued).toBe(count);
      expect(a.skipped + b.skipped).toBe(0);
      await waitFor(() => delivered.size === count, 10_000, 'every order delivered');
      await new Promise((r) => setTimeout(r, 100));
      expect([...delivered.values()].every((n) => n === 1)).toBe(true);
      expect(broker.getQueue('/', 'orders.dlq').ready).toBe(0);

      // What a journal saw: each message entered 'orders' again before it left the DLQ, never the other way round.
      const events = store.events;
      for (const body of ['order-0', 'order-1234', `order-${count - 1}`]) {
        const removedFromDlq = events.findIndex((e) => e.op === 'removed' && e.queue === 'orders.dlq' && e.body === body);
        const enqueuedBack = events.findLastIndex((e) => e.op === 'enqueued' && e.queue === 'orders' && e.body === body);
        expect(removedFromDlq).toBeGreaterThan(enqueuedBack);
        expect(enqueuedBack).toBeGreaterThan(events.findIndex((e) => e.op === 'enqueued' && e.queue === 'orders.dlq' && e.body === body));
      }
    } finally {
      await stop();
    }
  });

  it('a selection requeued with reset attempts goes through the retry tiers again', async () => {
    const store = new CaptureStore();
    const broker = store.restart();
    const { ch, stop } = await serveBroker(broker);
    try {
      await ch.assertQueue('mail', { durable: true, arguments: { 'x-retry-tiers': ['10ms'] } });
      const attempts: unknown[] = [];
      await ch.consume('mail', (m) => {
        if (!m) return;
        attempts.push(m.properties.headers?.['x-retry-attempt']);
        ch.nack(m, false, false);
      });
      ch.sendToQueue('mail', Buffer.from('hello'), { persistent: true });
      ch.sendToQueue('mail', Buffer.from('other'), { persistent: true });
      await waitFor(() => broker.getQueue('/', 'mail.dlq').ready === 2, 5000, 'both dead');
      const { messages } = await broker.deadLetters.list('/', 'mail.dlq', { filter: { text: 'hello' }, limit: 10 });
      expect(messages.map((m) => [m.reason, m.originalQueue, m.attempts])).toEqual([['rejected', 'mail', 1]]);
      attempts.length = 0;
      const result = await broker.deadLetters.requeue('/', 'mail.dlq', { seqs: [messages[0]!.seq] }, { resetAttempts: true });
      expect(result).toEqual({ requeued: 1, skipped: 0 });
      await waitFor(() => broker.getQueue('/', 'mail.dlq').ready === 2, 5000, 'dead again');
      // Delivered fresh (no attempt header), then once more after the tier.
      expect(attempts).toEqual([undefined, 1]);
      const again = await broker.deadLetters.list('/', 'mail.dlq', { limit: 10 });
      expect(again.messages.map((m) => [m.body.toString(), m.deaths])).toEqual([
        ['other', 1],
        ['hello', 2],
      ]);
    } finally {
      await stop();
    }
  });
});
