import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker';
import { topicMatches } from '../routing/topic-trie';
import { expectBrokerError } from '../test-support';

let broker: Broker;
afterEach(() => broker?.close());

/** Declares queues, binds each with its key to `exchange`, publishes, and returns the queues that got it. */
function routedQueues(exchange: string, routingKey: string, headers?: Record<string, unknown>): string[] {
  const result = broker.publish('/', exchange, routingKey, { headers }, Buffer.from('x'));
  void result;
  return broker
    .listQueues('/')
    .filter((q) => q.ready > 0)
    .map((q) => {
      broker.purgeQueue('/', q.name);
      return q.name;
    })
    .sort();
}

function queueBoundTo(exchange: string, queue: string, key: string, args?: Record<string, unknown>): void {
  broker.declareQueue('/', queue);
  broker.bindQueue('/', queue, exchange, key, args);
}

describe('exchanges', () => {
  it('has the default and predeclared amq.* exchanges in every vhost', () => {
    broker = new Broker();
    broker.createVhost('other');
    for (const vhost of ['/', 'other']) {
      const names = broker
        .listExchanges(vhost)
        .map((e) => `${e.name}:${e.type}`)
        .sort();
      expect(names).toEqual([':direct', 'amq.direct:direct', 'amq.fanout:fanout', 'amq.headers:headers', 'amq.match:headers', 'amq.topic:topic']);
    }
  });

  it('direct routes on the exact key', () => {
    broker = new Broker();
    queueBoundTo('amq.direct', 'a', 'red');
    queueBoundTo('amq.direct', 'b', 'green');
    queueBoundTo('amq.direct', 'c', 'red');
    expect(routedQueues('amq.direct', 'red')).toEqual(['a', 'c']);
    expect(routedQueues('amq.direct', 'blue')).toEqual([]);
  });

  it('fanout routes to every bound queue whatever the key', () => {
    broker = new Broker();
    queueBoundTo('amq.fanout', 'a', '');
    queueBoundTo('amq.fanout', 'b', 'ignored');
    expect(routedQueues('amq.fanout', 'anything')).toEqual(['a', 'b']);
  });

  it('topic: * is one word, # is zero or more, and the trie agrees with the pattern rules', () => {
    broker = new Broker();
    const patterns = ['#', '*', 'a.*', 'a.#', '*.b.#', '#.c', 'a.*.c', 'a.#.c', 'x.y', '*.*.*', '#.b.#'];
    patterns.forEach((pattern, i) => queueBoundTo('amq.topic', `q${i}`, pattern));
    const keys = ['', 'a', 'a.b', 'a.b.c', 'a.c', 'b.b', 'x.y', 'x.y.z', 'a.x.y.c', 'c', 'q.b.c.d'];
    for (const key of keys) {
      const expected = patterns.flatMap((p, i) => (topicMatches(p, key) ? [`q${i}`] : [])).sort();
      expect(routedQueues('amq.topic', key), key).toEqual(expected);
      // A second publish is served from the cache and must agree.
      expect(routedQueues('amq.topic', key), key).toEqual(expected);
    }
    broker.unbindQueue('/', 'q0', 'amq.topic', '#');
    expect(routedQueues('amq.topic', 'a.b')).toEqual(['q10', 'q2', 'q3', 'q4']);
  });

  it('headers: x-match all, any and the -with-x variants', () => {
    broker = new Broker();
    queueBoundTo('amq.headers', 'all', '', { 'x-match': 'all', format: 'pdf', type: 'report' });
    queueBoundTo('amq.headers', 'any', '', { 'x-match': 'any', format: 'pdf', type: 'report' });
    queueBoundTo('amq.headers', 'default-all', '', { format: 'pdf' });
    queueBoundTo('amq.headers', 'with-x', '', { 'x-match': 'any-with-x', 'x-tenant': 'acme' });
    queueBoundTo('amq.headers', 'presence', '', { 'x-match': 'all', flag: null });
    expect(routedQueues('amq.headers', '', { format: 'pdf', type: 'report' })).toEqual(['all', 'any', 'default-all']);
    expect(routedQueues('amq.headers', '', { type: 'report' })).toEqual(['any']);
    expect(routedQueues('amq.headers', '', { 'x-tenant': 'acme' })).toEqual(['with-x']);
    expect(routedQueues('amq.headers', '', { flag: 42 })).toEqual(['presence']);
    expectBrokerError(() => broker.bindQueue('/', 'all', 'amq.headers', '', { 'x-match': 'some' }), 406, /Invalid x-match field value/);
  });

  it('the default exchange routes by queue name and cannot be bound or deleted', () => {
    broker = new Broker();
    broker.declareQueue('/', 'orders');
    expect(routedQueues('', 'orders')).toEqual(['orders']);
    const text = 'ACCESS_REFUSED - operation not permitted on the default exchange';
    expectBrokerError(() => broker.bindQueue('/', 'orders', '', 'orders'), 403, text);
    expectBrokerError(() => broker.deleteExchange('/', ''), 403, text);
    expectBrokerError(() => broker.declareExchange('/', '', 'direct'), 403, text);
  });

  it('declare is idempotent, and a different type or flag fails with 406', () => {
    broker = new Broker();
    broker.declareExchange('/', 'logs', 'fanout', { durable: true });
    broker.declareExchange('/', 'logs', 'fanout', { durable: true });
    expectBrokerError(
      () => broker.declareExchange('/', 'logs', 'direct', { durable: true }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'logs' in vhost '/': received 'direct' but current is 'fanout'",
    );
    expectBrokerError(
      () => broker.declareExchange('/', 'logs', 'fanout', { durable: false }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'logs' in vhost '/': received 'false' but current is 'true'",
    );
  });

  it('passive declare of a missing exchange is 404; amq.* names are reserved; unknown types refused', () => {
    broker = new Broker();
    expectBrokerError(() => broker.declareExchange('/', 'nope', 'direct', { passive: true }), 404, "NOT_FOUND - no exchange 'nope' in vhost '/'");
    expectBrokerError(
      () => broker.declareExchange('/', 'amq.mine', 'direct'),
      403,
      "ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*'",
    );
    expectBrokerError(
      () => broker.deleteExchange('/', 'amq.direct'),
      403,
      "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
    );
    expectBrokerError(() => broker.declareExchange('/', 'x', 'x-weird'), 406, "PRECONDITION_FAILED - unknown exchange type 'x-weird'");
  });

  it('publishing to a missing exchange is 404 and to an internal exchange 403', () => {
    broker = new Broker();
    broker.declareExchange('/', 'inner', 'fanout', { internal: true });
    expectBrokerError(() => broker.publish('/', 'missing', 'k', {}, Buffer.alloc(0)), 404, "NOT_FOUND - no exchange 'missing' in vhost '/'");
    const error = expectBrokerError(
      () => broker.publish('/', 'inner', 'k', {}, Buffer.alloc(0)),
      403,
      "ACCESS_REFUSED - cannot publish to internal exchange 'inner' in vhost '/'",
    );
    expect(error.scope).toBe('channel');
  });

  it('alternate-exchange takes what the exchange cannot route', () => {
    broker = new Broker();
    broker.declareExchange('/', 'unrouted', 'fanout');
    broker.declareExchange('/', 'main', 'direct', { arguments: { 'alternate-exchange': 'unrouted' } });
    queueBoundTo('main', 'known', 'k');
    queueBoundTo('unrouted', 'leftovers', '');
    expect(routedQueues('main', 'k')).toEqual(['known']);
    expect(routedQueues('main', 'other')).toEqual(['leftovers']);
  });

  it('exchange-to-exchange bindings forward matching messages, and loops end', () => {
    broker = new Broker();
    broker.declareExchange('/', 'front', 'topic');
    broker.declareExchange('/', 'back', 'fanout');
    broker.bindExchange('/', 'back', 'front', 'eu.#');
    broker.bindExchange('/', 'front', 'back', ''); // a loop
    queueBoundTo('back', 'eu-all', '');
    queueBoundTo('front', 'direct-hit', 'eu.fr');
    expect(routedQueues('front', 'eu.fr')).toEqual(['direct-hit', 'eu-all']);
    expect(routedQueues('front', 'us.ny')).toEqual([]);
    broker.unbindExchange('/', 'back', 'front', 'eu.#');
    expect(routedQueues('front', 'eu.de')).toEqual([]);
  });

  it('an auto-delete exchange goes with its last binding; delete if-unused refuses a bound one', () => {
    broker = new Broker();
    broker.declareExchange('/', 'temp', 'direct', { autoDelete: true });
    queueBoundTo('temp', 'q', 'k');
    expectBrokerError(() => broker.deleteExchange('/', 'temp', { ifUnused: true }), 406, "PRECONDITION_FAILED - exchange 'temp' in vhost '/' in use");
    broker.unbindQueue('/', 'q', 'temp', 'k');
    expect(broker.listExchanges('/').some((e) => e.name === 'temp')).toBe(false);
  });
});
