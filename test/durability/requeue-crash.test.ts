// kill -9 in the middle of a large requeue from a dead-letter queue: a child
// process (requeue-crash-child.ts) requeues everything from 'orders.dlq' back
// to 'orders' and is killed part way; after each restart every message is in
// exactly one of the two queues, none lost, none duplicated. The last restart
// finishes the requeue and a consumer gets every message once.
// A kill -9 keeps whatever the journal had written, and it writes whole
// buffers (a slice, or 1 MB), so a kill rarely falls between the two halves
// of a move; requeue-atomic.test.ts checks every byte a crash could cut at.

import amqp from 'amqplib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { killAfterFirstReport } from '../support/kill-after-report';
import type { Broker } from '../../server/broker/broker';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

const CHILD = join(import.meta.dirname, 'requeue-crash-child.ts');
const COUNT = 10_000;
/** About 1 KB per message, so a requeue slice (1,000 messages) spans several journal writes. */
const bodyOf = (id: number) => Buffer.from(`order ${id} `.padEnd(1000, '.'));
const idOf = (body: Buffer) => Number(/^order (\d+) /.exec(body.toString())![1]);

const cleanup = cleanupAfterEach();

/** 'orders' dead-letters into 'orders.dlq'; COUNT orders are published, then all rejected. */
async function fillDeadLetterQueue(dataDir: string): Promise<void> {
  const first = await openInProcess(dataDir);
  const conn = await amqp.connect(first.url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('orders.dlq', { durable: true });
  await ch.assertQueue('orders', { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'orders.dlq' } });
  for (let id = 1; id <= COUNT; id++) ch.sendToQueue('orders', bodyOf(id), { persistent: true });
  await ch.waitForConfirms();
  await ch.prefetch(500);
  await ch.consume('orders', (m) => m && ch.nack(m, false, false));
  await waitFor(() => first.broker.getQueue('/', 'orders.dlq').ready === COUNT, 30_000, 'every order dead-lettered');
  await conn.close();
  await first.close();
}

/** The message ids in a queue, after checking that each carries its death in 'orders' (x-death): requeued copies keep it. */
function idsIn(broker: Broker, queue: string): number[] {
  return broker.browseQueue('/', queue, { limit: COUNT * 2 }).map((m) => {
    const death = (m.properties.headers?.['x-death'] as { queue?: unknown }[] | undefined)?.[0];
    expect(death?.queue).toBe('orders');
    return idOf(m.body);
  });
}

/** Fails unless every id 1..COUNT is in exactly one of the two queues; returns how many are in each. */
function expectEachOnce(broker: Broker): { orders: number; dlq: number } {
  const orders = idsIn(broker, 'orders');
  const dlq = idsIn(broker, 'orders.dlq');
  const seen = new Map<number, number>();
  for (const id of [...orders, ...dlq]) seen.set(id, (seen.get(id) ?? 0) + 1);
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const lost = Array.from({ length: COUNT }, (_, k) => k + 1).filter((id) => !seen.has(id));
  expect({ duplicated, lost }).toEqual({ duplicated: [], lost: [] });
  return { orders: orders.length, dlq: dlq.length };
}

describe('kill -9 during a requeue from a dead-letter queue', () => {
  it('leaves every message in exactly one of the two queues, and the finished requeue delivers each once', { timeout: 180_000 }, async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    await fillDeadLetterQueue(data.dir);

    const splits: { orders: number; dlq: number }[] = [];
    for (const [cycle, fraction] of [0.2, 0.45, 0.7].entries()) {
      const killDelay = 5 + Math.floor(Math.random() * 40);
      await killAfterFirstReport(CHILD, [data.dir, String(Math.round(COUNT * fraction))], join(data.dir, `report-${cycle}`), killDelay);
      const restarted = await openInProcess(data.dir);
      splits.push(expectEachOnce(restarted.broker));
      await restarted.close();
    }
    // The kills landed part way: messages on both sides after a restart.
    console.log(`after each kill (orders, orders.dlq): ${splits.map((s) => `${s.orders}/${s.dlq}`).join(', ')}`);
    expect(splits.some((s) => s.orders > 0 && s.dlq > 0)).toBe(true);

    const last = await openInProcess(data.dir);
    cleanup.push(() => last.close());
    await last.broker.deadLetters.requeue('/', 'orders.dlq', { filter: {} });
    expect(expectEachOnce(last.broker)).toEqual({ orders: COUNT, dlq: 0 });
    const conn = await amqp.connect(last.url);
    cleanup.push(() => conn.close().catch(() => {}));
    const ch = await conn.createChannel();
    const deliveries = new Map<number, number>();
    await ch.prefetch(500);
    await ch.consume('orders', (m) => {
      if (!m) return;
      const id = idOf(m.content);
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      ch.ack(m);
    });
    await waitFor(() => deliveries.size === COUNT, 30_000, 'every order delivered');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
  });
});
