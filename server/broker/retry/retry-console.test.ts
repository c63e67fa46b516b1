import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker';
import { expectBrokerError, openConnection, publishTexts } from '../test-support';

let broker: Broker;
let now = 0;
afterEach(() => broker?.close());

function start() {
  now = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
  broker = new Broker({ now: () => now });
  return openConnection(broker).openChannel(1);
}

describe('Broker.retries', () => {
  it('lists native tiers with count, oldest and next due time, and browses a tier', () => {
    const channel = start();
    broker.declareQueue('/', 'work', { arguments: { 'x-retry-tiers': ['5s', '1m'] } });
    broker.declareQueue('/', 'plain');
    publishTexts(broker, 'work', ['a', 'b']);
    const first = now;
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    now += 1000;
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    const info = broker.retries.get('/', 'work');
    expect(info).toMatchObject({ source: 'x-retry-tiers', deadLetterExchange: '', deadLetterRoutingKey: 'work.dlq' });
    expect(info.tiers).toEqual([
      { index: 0, delayMs: 5000, label: '5s', holding: 'amq.retry.work.tier1-5s', count: 2, bytes: 2, oldestAt: first, nextDueAt: first + 5000 },
      { index: 1, delayMs: 60_000, label: '1m', holding: 'amq.retry.work.tier2-1m', count: 0, bytes: 0, oldestAt: null, nextDueAt: null },
    ]);
    const held = broker.retries.browseTier('/', 'work', 0, { offset: 1, limit: 10 });
    expect(held.map((m) => [m.position, m.body.toString(), m.attempt, m.dueAt])).toEqual([[1, 'b', 1, first + 6000]]);
    expect(broker.retries.list('/').map((q) => q.queue)).toEqual(['work']);
    expect(broker.retries.get('/', 'plain')).toMatchObject({ source: null, tiers: [] });
    expectBrokerError(() => broker.retries.browseTier('/', 'work', 2, { limit: 1 }), 404, /has 2 retry tiers; no tier 2/);
  });

  it('recognises a RabbitMQ-style TTL chain (work → DLX → TTL queues → work exchange) as tiers', () => {
    const channel = start();
    broker.declareExchange('/', 'jobs', 'direct');
    broker.declareExchange('/', 'jobs.retry', 'direct');
    broker.declareQueue('/', 'jobs', { arguments: { 'x-dead-letter-exchange': 'jobs.retry' } });
    broker.bindQueue('/', 'jobs', 'jobs', 'job');
    for (const [name, ttl] of [
      ['jobs.wait-30s', 30_000],
      ['jobs.wait-5s', 5000],
    ] as const) {
      broker.declareQueue('/', name, { arguments: { 'x-message-ttl': ttl, 'x-dead-letter-exchange': 'jobs' } });
      broker.bindQueue('/', name, 'jobs.retry', 'job');
    }
    // A TTL queue that dead-letters elsewhere is not a tier of 'jobs'.
    broker.declareQueue('/', 'elsewhere', { arguments: { 'x-message-ttl': 10, 'x-dead-letter-exchange': 'amq.fanout' } });
    broker.bindQueue('/', 'elsewhere', 'jobs.retry', 'job');
    broker.publish('/', 'jobs', 'job', {}, Buffer.from('m'));
    channel.reject(channel.get('jobs', false)!.deliveryTag, false);
    const info = broker.retries.get('/', 'jobs');
    expect(info.source).toBe('ttl-chain');
    expect(info.tiers.map((t) => [t.holding, t.delayMs, t.count, t.nextDueAt])).toEqual([
      ['jobs.wait-5s', 5000, 1, now + 5000],
      ['jobs.wait-30s', 30_000, 1, now + 30_000],
    ]);
    expect(broker.retries.browseTier('/', 'jobs', 0, { limit: 5 }).map((m) => [m.body.toString(), m.attempt])).toEqual([['m', 1]]);
    // And the chain behaves as in RabbitMQ: after the TTL the message is back in the work queue.
    now += 5000;
    broker.scheduler.runDue();
    expect(broker.getQueue('/', 'jobs').ready).toBe(1);
    expect(broker.retries.list('/').map((q) => q.queue)).toEqual(['jobs']);
  });
});
