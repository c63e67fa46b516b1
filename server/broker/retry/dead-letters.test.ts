import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker';
import { openConnection, publishTexts } from '../test-support';

let broker: Broker;
let now = 0;
afterEach(() => broker?.close());

/** A work queue with one retry tier whose failed messages end in work.dlq, holding `bodies` rejected twice. */
function deadLetters(bodies: string[], args = {}) {
  now = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
  broker = new Broker({ now: () => now });
  broker.declareQueue('/', 'work', { arguments: { 'x-retry-tiers': ['1s'], ...args } });
  const channel = openConnection(broker).openChannel(1);
  publishTexts(broker, 'work', bodies);
  for (let round = 0; round < 2; round++) {
    for (let d = channel.get('work', false); d; d = channel.get('work', false)) channel.reject(d.deliveryTag, false);
    now += 1000;
    broker.scheduler.runDue();
  }
  return channel;
}

const bodies = (queue: string) => broker.browseQueue('/', queue, { limit: 100 }).map((m) => m.body.toString());

describe('Broker.deadLetters', () => {
  it('lists dead letters with reason, origin, attempts and death times, filtered and paged', async () => {
    deadLetters(['order-1', 'order-2', 'invoice-3']);
    const all = await broker.deadLetters.list('/', 'work.dlq', { limit: 10 });
    expect(all.total).toBe(3);
    expect(all.messages[0]).toMatchObject({
      position: 0,
      reason: 'rejected',
      originalQueue: 'work',
      originalExchange: '',
      routingKeys: ['work'],
      attempts: 1,
      deaths: 1,
      firstDeathAt: Date.UTC(2026, 0, 2, 3, 4, 6),
      lastDeathAt: Date.UTC(2026, 0, 2, 3, 4, 6),
    });
    const page = await broker.deadLetters.list('/', 'work.dlq', { filter: { text: 'order' }, offset: 1, limit: 10 });
    expect([page.total, page.messages.map((m) => m.body.toString())]).toEqual([2, ['order-2']]);
    expect((await broker.deadLetters.list('/', 'work.dlq', { filter: { reason: 'expired' }, limit: 10 })).total).toBe(0);
    expect((await broker.deadLetters.list('/', 'work.dlq', { filter: { from: now + 1 }, limit: 10 })).total).toBe(0);
  });

  it('requeues a selection back to the queue each died in, once, leaving the rest', async () => {
    deadLetters(['a', 'b', 'c']);
    const { messages } = await broker.deadLetters.list('/', 'work.dlq', { limit: 10 });
    const result = await broker.deadLetters.requeue('/', 'work.dlq', { seqs: [messages[0]!.seq, messages[2]!.seq] });
    expect(result).toEqual({ requeued: 2, skipped: 0 });
    expect(bodies('work')).toEqual(['a', 'c']);
    expect(bodies('work.dlq')).toEqual(['b']);
    // Without a reset the attempts are used up: the next failure goes straight back to the DLQ.
    expect(broker.browseQueue('/', 'work', { limit: 1 })[0]).toMatchObject({ exchange: '', routingKey: 'work' });
    expect(broker.browseQueue('/', 'work', { limit: 1 })[0]!.properties.headers?.['x-retry-attempt']).toBe(1);
    // Requeueing the same seqs again finds nothing.
    expect(await broker.deadLetters.requeue('/', 'work.dlq', { seqs: [messages[0]!.seq] })).toEqual({ requeued: 0, skipped: 0 });
  });

  it('requeues everything matching a filter to another queue with the attempts reset', async () => {
    deadLetters(['x1', 'y1', 'x2']);
    broker.declareQueue('/', 'other');
    const result = await broker.deadLetters.requeue('/', 'work.dlq', { filter: { text: 'x' } }, { to: 'other', resetAttempts: true });
    expect(result).toEqual({ requeued: 2, skipped: 0 });
    expect(bodies('other')).toEqual(['x1', 'x2']);
    const headers = broker.browseQueue('/', 'other', { limit: 1 })[0]!.properties.headers ?? {};
    expect(headers['x-retry-attempt']).toBeUndefined();
    expect(headers['x-death']).toHaveLength(1);
    await expectReject(() => broker.deadLetters.requeue('/', 'work.dlq', { filter: {} }, { to: 'missing' }), /NOT_FOUND - no queue 'missing'/);
    await expectReject(() => broker.deadLetters.requeue('/', 'work.dlq', { filter: {} }, { to: 'work.dlq' }), /into itself/);
  });

  it('a message whose queue is gone, or which the target refuses, stays in the DLQ as skipped', async () => {
    deadLetters(['a', 'b']);
    broker.declareQueue('/', 'full', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const moved = await broker.deadLetters.requeue('/', 'work.dlq', { filter: {} }, { to: 'full' });
    expect(moved).toEqual({ requeued: 1, skipped: 1 });
    expect(bodies('work.dlq')).toEqual(['b']);
    broker.deleteQueue('/', 'work');
    expect(await broker.deadLetters.requeue('/', 'work.dlq', { filter: {} })).toEqual({ requeued: 0, skipped: 1 });
    expect(bodies('work.dlq')).toEqual(['b']);
  });

  it('deletes and exports selections; thousands of messages go in slices', async () => {
    deadLetters(Array.from({ length: 2500 }, (_, i) => `m${i}`));
    const exported = await broker.deadLetters.export('/', 'work.dlq', { filter: { text: 'm24' } });
    // m24, m240..m249, m2400..m2499, in queue order
    expect(exported).toHaveLength(111);
    expect(exported.slice(0, 3).map((m) => m.body.toString())).toEqual(['m24', 'm240', 'm241']);
    expect(broker.getQueue('/', 'work.dlq').ready).toBe(2500);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const { deleted } = await broker.deadLetters.delete('/', 'work.dlq', { filter: {} });
    clearInterval(ticker);
    expect(deleted).toBe(2500);
    expect(broker.getQueue('/', 'work.dlq').ready).toBe(0);
    expect(ticks).toBeGreaterThan(0);
  });
});

async function expectReject(action: () => Promise<unknown>, message: RegExp) {
  await expect(action()).rejects.toThrow(message);
}
