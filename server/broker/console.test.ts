import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from './broker';
import { collector, expectBrokerError, openConnection, publishTexts, settle } from './test-support';

let broker: Broker;
afterEach(() => broker?.close());

describe('console operations', () => {
  it('purge removes ready messages only and reports how many', () => {
    broker = new Broker();
    broker.declareQueue('/', 'q');
    publishTexts(broker, 'q', ['1', '2', '3']);
    const channel = openConnection(broker).openChannel(1);
    channel.get('q', false);
    expect(broker.purgeQueue('/', 'q')).toBe(2);
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 1 });
  });

  it('delete honours if-unused and if-empty, and returns the message count', async () => {
    broker = new Broker();
    broker.declareQueue('/', 'q');
    publishTexts(broker, 'q', ['1', '2']);
    expectBrokerError(() => broker.deleteQueue('/', 'q', { ifEmpty: true }), 406, "PRECONDITION_FAILED - queue 'q' in vhost '/' not empty");
    const channel = openConnection(broker).openChannel(1);
    channel.qos(1, false);
    channel.consume('q', {}, () => {});
    await settle();
    expectBrokerError(() => broker.deleteQueue('/', 'q', { ifUnused: true }), 406, "PRECONDITION_FAILED - queue 'q' in vhost '/' in use");
    expect(broker.deleteQueue('/', 'q')).toBe(1);
    expect(broker.deleteQueue('/', 'q')).toBe(0);
  });

  it('counts the time its consumers were saturated: backlog waiting while none could take a message', async () => {
    let clock = 1_000;
    broker = new Broker({ now: () => clock });
    broker.declareQueue('/', 'q');
    const channel = openConnection(broker).openChannel(1);
    channel.qos(1, false);
    const deliveries = collector();
    channel.consume('q', {}, deliveries.deliver);
    await settle();
    publishTexts(broker, 'q', ['1']);
    clock += 500; // one message in flight, nothing waiting: not saturated
    expect(broker.getQueue('/', 'q').consumersSaturatedMs).toBe(0);
    publishTexts(broker, 'q', ['2', '3']); // backlog, and the only consumer is out of credit
    clock += 2_000;
    expect(broker.getQueue('/', 'q').consumersSaturatedMs).toBe(2_000);
    for (const tag of [1, 2, 3]) {
      channel.ack(tag, false);
      await settle();
    } // backlog drained
    clock += 1_000;
    expect(broker.getQueue('/', 'q').consumersSaturatedMs).toBe(2_000);
    expect(deliveries.texts()).toEqual(['1', '2', '3']);
  });

  it('browse shows messages from an offset without consuming or reordering', () => {
    broker = new Broker();
    broker.declareQueue('/', 'q');
    publishTexts(broker, 'q', ['1', '2', '3', '4'], { headers: { h: 1 } });
    const page = broker.browseQueue('/', 'q', { offset: 1, limit: 2 });
    expect(page.map((m) => [m.position, m.body.toString(), m.properties.headers, m.redelivered])).toEqual([
      [1, '2', { h: 1 }, false],
      [2, '3', { h: 1 }, false],
    ]);
    expect(broker.getQueue('/', 'q').ready).toBe(4);
    const channel = openConnection(broker).openChannel(1);
    expect(channel.get('q', true)!.message.body.toString()).toBe('1');
  });

  it('moves N or all messages to the tail of another queue, keeping order and headers', async () => {
    broker = new Broker();
    broker.declareQueue('/', 'from');
    broker.declareQueue('/', 'to');
    publishTexts(broker, 'to', ['existing']);
    publishTexts(broker, 'from', ['1', '2', '3'], { headers: { x: 'y' } });
    expect(await broker.moveMessages('/', 'from', 'to', 2)).toBe(2);
    expect(await broker.moveMessages('/', 'from', 'to', 'all')).toBe(1);
    const moved = broker.browseQueue('/', 'to', { limit: 10 });
    expect(moved.map((m) => m.body.toString())).toEqual(['existing', '1', '2', '3']);
    expect(moved[1]!.properties.headers).toEqual({ x: 'y' });
    expect(broker.getQueue('/', 'from').ready).toBe(0);
  });

  it('a move stops, losing nothing, when the target refuses (reject-publish)', async () => {
    broker = new Broker();
    broker.declareQueue('/', 'from');
    broker.declareQueue('/', 'small', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    publishTexts(broker, 'from', ['1', '2', '3']);
    expect(await broker.moveMessages('/', 'from', 'small', 'all')).toBe(1);
    expect(broker.getQueue('/', 'from').ready).toBe(2);
  });

  it('lists consumers with their channel, prefetch and activity', async () => {
    broker = new Broker();
    const connection = openConnection(broker);
    const channel = connection.openChannel(7);
    broker.declareQueue('/', 'q', { arguments: { 'x-single-active-consumer': true } });
    channel.qos(10, false);
    channel.consume('q', { consumerTag: 'first' }, () => {});
    channel.consume('q', { consumerTag: 'second', priority: 3 }, () => {});
    await settle();
    expect(broker.listConsumers('/').map((c) => [c.queue, c.consumerTag, c.connectionId, c.channel, c.prefetchCount, c.active])).toEqual([
      ['q', 'first', connection.id, 7, 10, true],
      ['q', 'second', connection.id, 7, 10, false],
    ]);
  });

  it('counts published, delivered, redelivered, acked per queue and totals', async () => {
    broker = new Broker();
    broker.declareQueue('/', 'q');
    const channel = openConnection(broker).openChannel(1);
    const c = collector();
    channel.consume('q', {}, c.deliver);
    await settle();
    publishTexts(broker, 'q', ['1', '2']);
    channel.nack(1, false, true);
    channel.ack(0, true);
    expect(broker.getQueue('/', 'q')).toMatchObject({
      ready: 0,
      unacked: 0,
      readyBytes: 0,
      consumers: 1,
      counters: { published: 2, delivered: 3, redelivered: 1, acked: 2, rejected: 0, deadLettered: 0, expired: 0, dropped: 0 },
    });
    expect(broker.totals()).toMatchObject({
      vhosts: 1,
      connections: 1,
      channels: 1,
      consumers: 1,
      queues: 1,
      exchanges: 6,
      published: 2,
      delivered: 3,
      acked: 2,
    });
  });

  it('traces a message through bindings, exchange bindings and the alternate exchange', () => {
    broker = new Broker();
    broker.declareExchange('/', 'ae', 'fanout');
    broker.declareExchange('/', 'orders', 'topic', { arguments: { 'alternate-exchange': 'ae' } });
    broker.declareExchange('/', 'eu', 'fanout');
    for (const q of ['all-orders', 'eu-orders', 'unrouted', 'us-orders']) broker.declareQueue('/', q);
    broker.bindQueue('/', 'all-orders', 'orders', 'order.#');
    broker.bindQueue('/', 'us-orders', 'orders', 'order.us.*');
    broker.bindExchange('/', 'eu', 'orders', 'order.eu.*');
    broker.bindQueue('/', 'eu-orders', 'eu', '');
    broker.bindQueue('/', 'unrouted', 'ae', '');

    const eu = broker.trace('/', 'orders', 'order.eu.paris');
    expect(eu.queues.sort()).toEqual(['all-orders', 'eu-orders']);
    expect(eu.steps.map((s) => [s.exchange, s.via, s.binding?.destination, s.matched])).toEqual([
      ['orders', 'publish', 'all-orders', true],
      ['orders', 'publish', 'us-orders', false],
      ['orders', 'publish', 'eu', true],
      ['eu', 'exchange-binding', 'eu-orders', true],
    ]);
    expect(eu.steps[1]!.reason).toContain("does not match 'order.eu.paris'");

    const other = broker.trace('/', 'orders', 'invoice.1');
    expect(other.queues).toEqual(['unrouted']);
    expect(other.steps.at(-1)).toMatchObject({ exchange: 'ae', via: 'alternate-exchange', matched: true });
    expect(broker.trace('/', '', 'nope')).toMatchObject({ queues: [], unroutable: true });
  });

  it("lists bindings including the default exchange's implicit ones", () => {
    broker = new Broker();
    broker.declareQueue('/', 'q');
    broker.bindQueue('/', 'q', 'amq.topic', 'a.*');
    expect(broker.listBindings('/')).toEqual([
      { vhost: '/', source: '', destination: 'q', destinationType: 'queue', routingKey: 'q', arguments: {} },
      { vhost: '/', source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: 'a.*', arguments: {} },
    ]);
  });
});

describe('operations a stream cannot do', () => {
  it('a move out of a stream and a console purge of one answer 406 saying why, instead of doing nothing', async () => {
    broker = new Broker();
    broker.declareQueue('/', 'events', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    broker.declareQueue('/', 'copy');
    await expect(broker.moveMessages('/', 'events', 'copy', 'all')).rejects.toThrow(
      "PRECONDITION_FAILED - queue 'events' in vhost '/' is a stream: it cannot give up messages to a move, since records stay until retention",
    );
    await expect(broker.purgeInSlices('/', 'events')).rejects.toThrow(/is a stream: it cannot be purged/);
  });
});
