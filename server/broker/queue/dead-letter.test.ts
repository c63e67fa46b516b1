import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker';
import type { FieldTable } from '../types';
import { openConnection, publishTexts } from '../test-support';

let broker: Broker;
afterEach(() => broker?.close());

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function withDeadLetterQueue(args: FieldTable = {}, declare: { durable?: boolean } = {}) {
  broker = new Broker({ now: () => NOW });
  broker.declareExchange('/', 'dlx', 'fanout');
  broker.declareQueue('/', 'dead');
  broker.bindQueue('/', 'dead', 'dlx', '');
  broker.declareQueue('/', 'work', { ...declare, arguments: { 'x-dead-letter-exchange': 'dlx', ...args } });
  return openConnection(broker).openChannel(1);
}

function deadHeaders(): FieldTable[] {
  return broker.browseQueue('/', 'dead', { limit: 100 }).map((m) => m.properties.headers ?? {});
}

describe('dead-lettering', () => {
  it("a rejected message gets RabbitMQ's x-death entry and first/last death headers", () => {
    const channel = withDeadLetterQueue();
    broker.publish('/', '', 'work', { headers: { app: 'kept' }, contentType: 'text/plain' }, Buffer.from('body'));
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    const dead = broker.browseQueue('/', 'dead', { limit: 1 })[0]!;
    expect(dead.body.toString()).toBe('body');
    expect(dead.exchange).toBe('dlx');
    expect(dead.routingKey).toBe('work');
    expect(dead.properties.contentType).toBe('text/plain');
    expect(dead.properties.headers).toEqual({
      app: 'kept',
      'x-death': [{ count: 1, reason: 'rejected', queue: 'work', time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), exchange: '', 'routing-keys': ['work'] }],
      'x-first-death-reason': 'rejected',
      'x-first-death-queue': 'work',
      'x-first-death-exchange': '',
      'x-last-death-reason': 'rejected',
      'x-last-death-queue': 'work',
      'x-last-death-exchange': '',
    });
    expect(broker.getQueue('/', 'work').counters).toMatchObject({ rejected: 1, deadLettered: 1 });
  });

  it('uses x-dead-letter-routing-key when set', () => {
    const channel = withDeadLetterQueue({ 'x-dead-letter-routing-key': 'failed' });
    broker.declareExchange('/', 'router', 'direct');
    broker.declareQueue('/', 'failed-only');
    broker.bindQueue('/', 'failed-only', 'router', 'failed');
    broker.declareQueue('/', 'work2', { arguments: { 'x-dead-letter-exchange': 'router', 'x-dead-letter-routing-key': 'failed' } });
    publishTexts(broker, 'work2', ['m']);
    channel.nack(channel.get('work2', false)!.deliveryTag, false, false);
    const dead = broker.browseQueue('/', 'failed-only', { limit: 1 })[0]!;
    expect([dead.routingKey, dead.body.toString()]).toEqual(['failed', 'm']);
  });

  it('expired messages die with reason expired and their expiration moved to original-expiration', () => {
    let now = NOW;
    broker = new Broker({ now: () => now });
    broker.declareExchange('/', 'dlx', 'fanout');
    broker.declareQueue('/', 'dead');
    broker.bindQueue('/', 'dead', 'dlx', '');
    broker.declareQueue('/', 'work', { arguments: { 'x-dead-letter-exchange': 'dlx' } });
    publishTexts(broker, 'work', ['m'], { expiration: '50' });
    now += 60;
    expect(openConnection(broker).openChannel(1).get('work', false)).toBeNull();
    const dead = broker.browseQueue('/', 'dead', { limit: 1 })[0]!;
    expect(dead.properties.expiration).toBeUndefined();
    expect(dead.properties.headers?.['x-death']).toEqual([expect.objectContaining({ reason: 'expired', queue: 'work', 'original-expiration': '50' })]);
  });

  it('messages dropped by x-max-length die with reason maxlen; reject-publish-dlx dead-letters the refused one', () => {
    withDeadLetterQueue({ 'x-max-length': 1 });
    publishTexts(broker, 'work', ['first', 'second']);
    broker.declareQueue('/', 'strict', { arguments: { 'x-dead-letter-exchange': 'dlx', 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' } });
    publishTexts(broker, 'strict', ['kept']);
    expect(broker.publish('/', '', 'strict', {}, Buffer.from('refused')).confirm).toBe('nack');
    const dead = broker.browseQueue('/', 'dead', { limit: 10 });
    expect(dead.map((m) => [m.body.toString(), m.properties.headers?.['x-first-death-reason']])).toEqual([
      ['first', 'maxlen'],
      ['refused', 'maxlen'],
    ]);
  });

  it('quorum queues count redeliveries in x-delivery-count and dead-letter past x-delivery-limit', () => {
    const channel = withDeadLetterQueue({ 'x-queue-type': 'quorum', 'x-delivery-limit': 2 }, { durable: true });
    publishTexts(broker, 'work', ['poison']);
    const counts: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const d = channel.get('work', false)!;
      counts.push(d.message.properties.headers?.['x-delivery-count']);
      channel.nack(d.deliveryTag, false, true);
    }
    expect(counts).toEqual([undefined, 1, 2]);
    expect(broker.getQueue('/', 'work').ready).toBe(0);
    expect(deadHeaders().map((h) => h['x-first-death-reason'])).toEqual(['delivery_limit']);
  });

  it('a quorum queue defaults to a delivery limit of 20', () => {
    const channel = withDeadLetterQueue({ 'x-queue-type': 'quorum' }, { durable: true });
    publishTexts(broker, 'work', ['poison']);
    let deliveries = 0;
    for (let d = channel.get('work', false); d; d = channel.get('work', false)) {
      deliveries++;
      channel.nack(d.deliveryTag, false, true);
    }
    expect(deliveries).toBe(21);
    expect(deadHeaders()).toHaveLength(1);
  });

  it('counts repeated deaths in the same queue for the same reason in one entry, most recent first', () => {
    broker = new Broker({ now: () => NOW });
    // work → (rejected) → retry → (expired) → work ...
    broker.declareQueue('/', 'work', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'retry' } });
    broker.declareQueue('/', 'retry', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'work', 'x-message-ttl': 0 } });
    const channel = openConnection(broker).openChannel(1);
    publishTexts(broker, 'work', ['m']);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    const d = channel.get('work', false)!;
    const deaths = d.message.properties.headers?.['x-death'] as FieldTable[];
    expect(deaths.map((e) => [e.queue, e.reason, e.count])).toEqual([
      ['retry', 'expired', 2],
      ['work', 'rejected', 2],
    ]);
    expect(d.message.properties.headers).toMatchObject({ 'x-first-death-queue': 'work', 'x-last-death-queue': 'retry', 'x-last-death-reason': 'expired' });
  });

  it('drops a message in a fully automatic dead-letter cycle', () => {
    broker = new Broker({ now: () => NOW });
    // a expires into b, b expires back into a: no client ever rejects.
    broker.declareQueue('/', 'a', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'b', 'x-message-ttl': 0 } });
    broker.declareQueue('/', 'b', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'a', 'x-message-ttl': 0 } });
    publishTexts(broker, 'a', ['m']);
    expect(broker.getQueue('/', 'a').ready + broker.getQueue('/', 'b').ready).toBe(0);
    expect(broker.getQueue('/', 'a').counters.expired).toBe(1);
    expect(broker.getQueue('/', 'b').counters.expired).toBe(1);
  });
});

describe('a message past its delivery limit without a dead-letter exchange', () => {
  it('is kept in <queue>.dlq with reason delivery_limit, declared when first needed, and counted', () => {
    broker = new Broker({ now: () => NOW });
    broker.declareQueue('/', 'orders', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 1 } });
    expect(broker.listQueues().map((q) => q.name)).not.toContain('orders.dlq');
    const channel = openConnection(broker).openChannel(1);
    publishTexts(broker, 'orders', ['poison']);
    for (let i = 0; i < 2; i++) channel.nack(channel.get('orders', false)!.deliveryTag, false, true);

    expect(broker.getQueue('/', 'orders').ready).toBe(0);
    const kept = broker.browseQueue('/', 'orders.dlq', { limit: 10 })[0]!;
    expect(kept.body.toString()).toBe('poison');
    expect(kept.properties.headers?.['x-first-death-reason']).toBe('delivery_limit');
    expect(kept.properties.headers?.['x-first-death-queue']).toBe('orders');
    expect(broker.getQueue('/', 'orders.dlq').durable).toBe(true);
    expect(broker.totals().overDeliveryLimit).toBe(1);
  });

  it('a rejected or expired message without a dead-letter exchange is still dropped, as in RabbitMQ', () => {
    broker = new Broker({ now: () => NOW });
    broker.declareQueue('/', 'plain', { arguments: { 'x-delivery-limit': 5 } });
    const channel = openConnection(broker).openChannel(1);
    publishTexts(broker, 'plain', ['unwanted']);
    channel.reject(channel.get('plain', false)!.deliveryTag, false);
    expect(broker.listQueues().map((q) => q.name)).toEqual(['plain']);
    expect(broker.totals().overDeliveryLimit).toBe(0);
  });
});
