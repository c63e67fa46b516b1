import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// A `<queue>.dlq` declared again because a message died after someone deleted
// it is durable like the queue beside it: after a restart it is there, holding
// the message.

const cleanup = cleanupAfterEach();

describe('the automatic dead-letter queue on disk', () => {
  it('declared again at a message death, it survives a restart with the message', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('payouts', { durable: true, arguments: { 'x-retry-tiers': ['10ms'] } });
    await ch.deleteQueue('payouts.dlq');
    ch.sendToQueue('payouts', Buffer.from('payout 9'), { persistent: true });
    await ch.waitForConfirms();
    await ch.consume('payouts', (m) => m && ch.nack(m, false, false));
    await waitFor(() => first.broker.listQueues('/').find((q) => q.name === 'payouts.dlq')?.ready === 1, 5000, 'the message in payouts.dlq');
    await conn.close();
    await first.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    const dead = second.broker.browseQueue('/', 'payouts.dlq', { limit: 10 })[0]!;
    expect(dead.body.toString()).toBe('payout 9');
    expect(second.broker.getQueue('/', 'payouts.dlq')).toMatchObject({ durable: true, ready: 1 });
  });
});
