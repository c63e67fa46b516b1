import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// A message waiting in a retry tier is journalled under the tier's holding
// area; after a restart it waits there again until its original due time.

const cleanup = cleanupAfterEach();

describe('retry tiers on disk', () => {
  it('a held message comes back to its tier with its due time after a restart', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('billing', { durable: true, arguments: { 'x-retry-tiers': ['1h'] } });
    ch.sendToQueue('billing', Buffer.from('invoice-7'), { persistent: true });
    await ch.waitForConfirms();
    const msg = await waitFor(() => ch.get('billing'), 2000, 'the message');
    if (!msg) throw new Error('no message');
    ch.nack(msg, false, false);
    const held = await waitFor(() => first.broker.retries.get('/', 'billing').tiers.find((t) => t.count === 1), 2000, 'the hold');
    await conn.close();
    await first.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    const tier = second.broker.retries.get('/', 'billing').tiers[0]!;
    expect([tier.count, tier.nextDueAt]).toEqual([1, held!.nextDueAt]);
    expect(second.broker.getQueue('/', 'billing').ready).toBe(0);
  });
});
