import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { openMetadataDb } from '../../server/store/db';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, openInProcess, type InProcessBroker } from './support';
import { cleanupAfterEach } from './cleanup';

// Policies live in the metadata database and come back before the queues, so
// a queue's retry tiers from a policy find their held messages after a restart.

const cleanup = cleanupAfterEach();

/** Declares 'billing' without arguments, gives it a 1h retry tier by policy, and fails one persistent message into it. */
async function holdOneMessage(broker: InProcessBroker): Promise<number> {
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('billing', { durable: true });
  broker.broker.setPolicy('/', { name: 'retry-billing', pattern: '^billing$', applyTo: 'queues', priority: 0, definition: { 'retry-tiers': ['1h'] } });
  ch.sendToQueue('billing', Buffer.from('invoice-7'), { persistent: true });
  await ch.waitForConfirms();
  const msg = await waitFor(() => ch.get('billing'), 2000, 'the message');
  if (!msg) throw new Error('no message');
  ch.nack(msg, false, false);
  const held = await waitFor(() => broker.broker.retries.get('/', 'billing').tiers.find((t) => t.count === 1), 2000, 'the hold');
  await conn.close();
  return held!.nextDueAt!;
}

describe('policies on disk', () => {
  it('a policy and the message held in its retry tier survive a restart', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const dueAt = await holdOneMessage(first);
    await first.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    expect(second.broker.listPolicies('/').map((p) => [p.name, p.pattern, p.definition])).toEqual([['retry-billing', '^billing$', { 'retry-tiers': ['1h'] }]]);
    expect(second.broker.getQueue('/', 'billing.dlq').durable).toBe(true);
    const info = second.broker.retries.get('/', 'billing');
    expect([info.source, info.tiers[0]!.count, info.tiers[0]!.nextDueAt]).toEqual(['policy', 1, dueAt]);
  });

  it('a deleted policy stays deleted, and a tier that is gone by the next start returns its messages to the queue', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    await holdOneMessage(first);
    first.broker.setPolicy('/', { name: 'cap', pattern: '.*', applyTo: 'queues', priority: -1, definition: { 'max-length': 100 } });
    first.broker.deletePolicy('/', 'cap');
    await first.close();
    // The 1h tier becomes a 5s one while the broker is down.
    const db = await openMetadataDb({ dataDir: data.dir, log: () => {} });
    await db.prisma.policy.updateMany({ where: { name: 'retry-billing' }, data: { definition: JSON.stringify({ 'retry-tiers': ['5s'] }) } });
    await db.close();

    const second = await openInProcess(data.dir);
    expect(second.broker.listPolicies('/').map((p) => p.name)).toEqual(['retry-billing']);
    expect(second.broker.getQueue('/', 'billing').ready).toBe(1);
    expect(second.broker.retries.get('/', 'billing').tiers.map((t) => [t.label, t.count])).toEqual([['5s', 0]]);
    await second.close();
    // Put back for good: it does not come back twice.
    const third = await openInProcess(data.dir);
    cleanup.push(() => third.close());
    expect(third.broker.getQueue('/', 'billing').ready).toBe(1);
    expect(third.broker.browseQueue('/', 'billing', { limit: 1 })[0]!.body.toString()).toBe('invoice-7');
  });
});
