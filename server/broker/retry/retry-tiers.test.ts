import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker';
import type { FieldTable } from '../types';
import { engineOf, expectBrokerError, openConnection, publishTexts } from '../test-support';

let broker: Broker;
let now = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
afterEach(() => broker?.close());

function start(args: FieldTable, durable = false) {
  now = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
  broker = new Broker({ now: () => now });
  broker.declareQueue('/', 'work', { durable, arguments: args });
  return openConnection(broker).openChannel(1);
}

/** Moves the clock and runs what the scheduler has due. */
function advance(ms: number) {
  now += ms;
  broker.scheduler.runDue();
}

describe('retry tiers', () => {
  it('a rejected message waits in each tier, returns to the tail with retry headers, then goes to <queue>.dlq', () => {
    const channel = start({ 'x-retry-tiers': ['5s', 30_000] });
    const failedAt = now;
    publishTexts(broker, 'work', ['poison', 'fine']);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    expect(broker.getQueue('/', 'work').ready).toBe(1);
    advance(4999);
    expect(broker.getQueue('/', 'work').ready).toBe(1);
    advance(1);
    // Back at the tail, behind 'fine'.
    expect(broker.browseQueue('/', 'work', { limit: 10 }).map((m) => m.body.toString())).toEqual(['fine', 'poison']);
    const back = broker.browseQueue('/', 'work', { limit: 10 })[1]!.properties.headers;
    expect(back).toMatchObject({
      'x-retry-attempt': 1,
      'x-retry-tier': '5s',
      'x-first-failure-at': failedAt,
      'x-last-failure-at': failedAt,
      'x-retry-due-at': failedAt + 5000,
    });
    channel.ack(channel.get('work', false)!.deliveryTag, false);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    advance(30_000);
    const second = channel.get('work', false)!;
    expect(second.message.properties.headers).toMatchObject({
      'x-retry-attempt': 2,
      'x-retry-tier': '30000ms',
      'x-first-failure-at': failedAt,
      'x-last-failure-at': failedAt + 5000,
    });
    channel.reject(second.deliveryTag, false);
    const dead = broker.browseQueue('/', 'work.dlq', { limit: 10 })[0]!;
    expect(dead.body.toString()).toBe('poison');
    expect(dead.properties.headers?.['x-death']).toEqual([
      expect.objectContaining({ reason: 'rejected', queue: 'work', count: 1, exchange: '', 'routing-keys': ['work'] }),
    ]);
    expect(broker.getQueue('/', 'work.dlq').durable).toBe(false);
  });

  it('a negative x-retry-attempt set by the publisher counts as none: the message starts at the first tier', () => {
    const channel = start({ 'x-retry-tiers': ['5s'] });
    publishTexts(broker, 'work', ['poison'], { headers: { 'x-retry-attempt': -3 } });
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    expect(broker.getQueue('/', 'work').ready).toBe(0);
    advance(5000);
    expect(broker.browseQueue('/', 'work', { limit: 1 })[0]!.properties.headers).toMatchObject({ 'x-retry-attempt': 1, 'x-retry-tier': '5s' });
  });

  it('one scheduler wake-up per non-empty tier, not per message', () => {
    const channel = start({ 'x-retry-tiers': ['1s'] });
    publishTexts(
      broker,
      'work',
      Array.from({ length: 100 }, (_, i) => `m${i}`),
    );
    for (let d = channel.get('work', false); d; d = channel.get('work', false)) {
      channel.reject(d.deliveryTag, false);
      now += 1;
    }
    expect(broker.scheduler.pending).toBe(1);
    advance(1000);
    expect(broker.getQueue('/', 'work').ready).toBe(100);
    expect(broker.browseQueue('/', 'work', { limit: 3 }).map((m) => m.body.toString())).toEqual(['m0', 'm1', 'm2']);
  });

  it('with a dead-letter exchange the last failure goes there and no .dlq is declared', () => {
    now = Date.UTC(2026, 0, 2);
    broker = new Broker({ now: () => now });
    broker.declareExchange('/', 'dlx', 'fanout');
    broker.declareQueue('/', 'dead');
    broker.bindQueue('/', 'dead', 'dlx', '');
    broker.declareQueue('/', 'work', { arguments: { 'x-retry-tiers': ['1s'], 'x-dead-letter-exchange': 'dlx' } });
    const channel = openConnection(broker).openChannel(1);
    publishTexts(broker, 'work', ['m']);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    advance(1000);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    expect(broker.browseQueue('/', 'dead', { limit: 1 })[0]!.properties.headers).toMatchObject({ 'x-retry-attempt': 1, 'x-first-death-reason': 'rejected' });
    expect(
      broker
        .listQueues('/')
        .map((q) => q.name)
        .sort(),
    ).toEqual(['dead', 'work']);
  });

  it('x-delivery-limit makes a message that keeps coming back fail into the next tier, then dead with delivery_limit', () => {
    const channel = start({ 'x-retry-tiers': ['1s'], 'x-delivery-limit': 1 });
    publishTexts(broker, 'work', ['crash']);
    channel.nack(channel.get('work', false)!.deliveryTag, false, true);
    channel.nack(channel.get('work', false)!.deliveryTag, false, true);
    expect(broker.getQueue('/', 'work').ready).toBe(0);
    advance(1000);
    const back = channel.get('work', false)!;
    expect([back.redelivered, back.message.properties.headers?.['x-retry-attempt']]).toEqual([false, 1]);
    channel.nack(back.deliveryTag, false, true);
    channel.nack(channel.get('work', false)!.deliveryTag, false, true);
    const dead = broker.browseQueue('/', 'work.dlq', { limit: 1 })[0]!;
    expect(dead.properties.headers).toMatchObject({ 'x-first-death-reason': 'delivery_limit', 'x-retry-attempt': 1 });
  });

  it("a quorum queue's x-delivery-count belongs to one pass: the message comes back from its tier without it", () => {
    const channel = start({ 'x-queue-type': 'quorum', 'x-retry-tiers': ['1s'], 'x-delivery-limit': 1 }, true);
    publishTexts(broker, 'work', ['m']);
    channel.nack(channel.get('work', false)!.deliveryTag, false, true);
    const second = channel.get('work', false)!;
    expect(second.message.properties.headers?.['x-delivery-count']).toBe(1);
    channel.nack(second.deliveryTag, false, true);
    advance(1000);
    const back = channel.get('work', false)!;
    expect(back.message.properties.headers).toMatchObject({ 'x-retry-attempt': 1 });
    expect(back.message.properties.headers?.['x-delivery-count']).toBeUndefined();
  });

  it('a message its full queue refuses back (reject-publish) stays held and is offered again a second later', () => {
    const channel = start({ 'x-retry-tiers': ['1s'], 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    publishTexts(broker, 'work', ['retried']);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    publishTexts(broker, 'work', ['filler']);
    advance(1000);
    expect(broker.retries.get('/', 'work').tiers[0]!.count).toBe(1);
    channel.ack(channel.get('work', false)!.deliveryTag, false);
    advance(999);
    expect(broker.getQueue('/', 'work').ready).toBe(0);
    advance(1);
    expect(broker.browseQueue('/', 'work', { limit: 5 }).map((m) => m.body.toString())).toEqual(['retried']);
  });

  it('deleting the work queue drops its held messages and cancels their wake-up', () => {
    const channel = start({ 'x-retry-tiers': ['1s'] });
    publishTexts(broker, 'work', ['m']);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    broker.deleteQueue('/', 'work');
    advance(1000);
    expect(engineOf(broker).vhost('/').holdingAreas.size).toBe(0);
    expect(broker.getQueue('/', 'work.dlq').ready).toBe(0);
  });

  it('refuses bad x-retry-tiers with 406 saying what is accepted', () => {
    broker = new Broker();
    const accepted = 'accepted: 1 to 20 delays, each ms or a number with unit ms/s/m/h/d, e.g. ["5s","30s","5m","1h"]';
    const cases: [unknown, string][] = [
      [['-5s'], `delay '-5s' is negative`],
      [[-1], `delay '-1' is negative`],
      [['5x'], `delay '5x' has unknown unit 'x'`],
      [[], 'got an empty list'],
      [Array.from({ length: 21 }, () => '1s'), 'got 21 tiers'],
      ['5s', 'got longstr, not a list'],
      [['1s', 'a very long delay text indeed'], `delay 'a very long dela…' is not a number with a unit`],
    ];
    for (const [value, reason] of cases) {
      expectBrokerError(
        () => broker.declareQueue('/', 'q', { arguments: { 'x-retry-tiers': value } }),
        406,
        `PRECONDITION_FAILED - invalid arg 'x-retry-tiers' for queue 'q' in vhost '/': "${reason}; ${accepted}"`,
      );
    }
    broker.declareQueue('/', 'q', { arguments: { 'x-retry-tiers': ['250ms', '1.5s', '5m', '1h', '2d', 0, '100'] } });
    expectBrokerError(() => broker.declareQueue('/', 'q', { arguments: { 'x-retry-tiers': ['1s'] } }), 406, /inequivalent arg 'x-retry-tiers'/);
  });
});
