import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { expectClose, withBroker, withChannel } from '../amqp/helpers';
import { getWhenThere } from './support';

// A consumer that fails a message every time, seen from amqplib.

const TIERS = ['50ms', '100ms', '200ms'];

describe('retry tiers over AMQP', () => {
  it('a message failed every time comes back after each tier with retry headers, then lands in <queue>.dlq with x-death', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('orders', { durable: true, arguments: { 'x-retry-tiers': TIERS } });
        const arrivals: { at: number; message: ConsumeMessage }[] = [];
        await ch.consume('orders', (m) => {
          if (!m) return;
          arrivals.push({ at: Date.now(), message: m });
          ch.nack(m, false, false);
        });
        const publishedAt = Date.now();
        ch.sendToQueue('orders', Buffer.from('poison'), { persistent: true, headers: { app: 'shop' } });
        const dead = await getWhenThere(ch, 'orders.dlq', 5000, { noAck: true });

        expect(arrivals).toHaveLength(4);
        let firstFailure = 0;
        for (const [i, tier] of TIERS.entries()) {
          const delay = parseInt(tier, 10);
          const failed = arrivals[i]!;
          const back = arrivals[i + 1]!;
          const headers = back.message.properties.headers ?? {};
          expect(headers).toMatchObject({ app: 'shop', 'x-retry-attempt': i + 1, 'x-retry-tier': tier });
          // The failure happened between the delivery that failed and the return.
          const lastFailure = headers['x-last-failure-at'] as number;
          expect(lastFailure).toBeGreaterThanOrEqual(failed.at - 1);
          expect(lastFailure).toBeLessThanOrEqual(back.at);
          if (i === 0) firstFailure = lastFailure;
          expect(headers['x-first-failure-at']).toBe(firstFailure);
          expect(headers['x-retry-due-at']).toBe(lastFailure + delay);
          // Held for the tier's delay (a timer may fire a millisecond early on the wall clock).
          expect(back.at - lastFailure).toBeGreaterThanOrEqual(delay - 1);
          expect(back.message.fields.redelivered).toBe(false);
        }
        expect(firstFailure).toBeGreaterThanOrEqual(publishedAt);

        expect(dead.content.toString()).toBe('poison');
        const headers = dead.properties.headers ?? {};
        expect(headers['x-death']).toEqual([
          { count: 1, reason: 'rejected', queue: 'orders', time: expect.any(Object), exchange: '', 'routing-keys': ['orders'] },
        ]);
        const deathTime = (headers['x-death'] as { time: { value: number } }[])[0]!.time.value;
        expect(Math.abs(deathTime * 1000 - arrivals[3]!.at)).toBeLessThan(1500);
        expect(headers).toMatchObject({ 'x-first-death-reason': 'rejected', 'x-first-death-queue': 'orders', 'x-retry-attempt': 3 });
        expect(dead.properties.deliveryMode).toBe(2);
      }),
    ));

  it('x-delivery-limit stops a consumer that crashes on one message: it goes through the tier, then dead with delivery_limit', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        await ch.assertQueue('jobs', { arguments: { 'x-retry-tiers': ['50ms'], 'x-delivery-limit': 1 } });
        ch.sendToQueue('jobs', Buffer.from('crash'));
        let deliveries = 0;
        // Each worker "crashes" on the message: its channel closes without an ack.
        const crashingWorker = async () => {
          const worker = await conn.createChannel();
          worker.on('error', () => {});
          await worker.prefetch(1);
          await worker.consume('jobs', (m) => {
            if (!m) return;
            deliveries++;
            void worker.close().catch(() => {});
          });
        };
        // A worker still starting when the test ends may see its connection close: that is expected.
        const workers = setInterval(() => void crashingWorker().catch(() => {}), 20);
        try {
          const dead = await getWhenThere(ch, 'jobs.dlq', 5000, { noAck: true });
          expect(dead.properties.headers).toMatchObject({ 'x-first-death-reason': 'delivery_limit', 'x-retry-attempt': 1 });
        } finally {
          clearInterval(workers);
        }
        // Two deliveries (limit 1) before the tier, two after.
        expect(deliveries).toBe(4);
      }),
    ));

  it('bad x-retry-tiers get 406 PRECONDITION_FAILED saying what is accepted', () =>
    withBroker(({ url }) =>
      withChannel(url, async (_ch, conn) => {
        const cases: [unknown, string][] = [
          [['5s', '-30s'], `delay '-30s' is negative`],
          [['5s', '30 parsecs'], `delay '30 parsecs' has unknown unit 'parsecs'`],
          [Array.from({ length: 21 }, (_, i) => `${i + 1}s`), 'got 21 tiers'],
          [[], 'got an empty list'],
        ];
        for (const [value, reason] of cases) {
          const ch = await conn.createChannel();
          ch.on('error', () => {});
          const err = await expectClose(ch, () => ch.assertQueue('bad', { arguments: { 'x-retry-tiers': value } }));
          expect(err.code).toBe(406);
          expect(err.message).toContain(
            `PRECONDITION_FAILED - invalid arg 'x-retry-tiers' for queue 'bad' in vhost '/': "${reason}; accepted: 1 to 20 delays, each ms or a number with unit ms/s/m/h/d`,
          );
        }
      }),
    ));
});
