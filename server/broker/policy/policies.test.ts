import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker';
import { engineOf, expectBrokerError, openConnection, publishTexts } from '../test-support';
import type { PolicyDefinition } from './policy-definition';

let broker: Broker;
let now = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
afterEach(() => broker?.close());

function start() {
  now = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
  broker = new Broker({ now: () => now });
  return openConnection(broker).openChannel(1);
}

function policy(name: string, pattern: string, definition: Record<string, unknown>, extra: Partial<PolicyDefinition> = {}): PolicyDefinition {
  return { name, pattern, applyTo: 'queues', priority: 0, definition, ...extra };
}

function bodies(queue: string): string[] {
  return broker.browseQueue('/', queue, { limit: 100 }).map((m) => m.body.toString());
}

function advance(ms: number) {
  now += ms;
  broker.scheduler.runDue();
}

describe('policies', () => {
  it('applies to queues already declared and to queues declared later, and stops applying when deleted', () => {
    start();
    broker.declareQueue('/', 'orders', {});
    publishTexts(broker, 'orders', ['1', '2', '3', '4']);
    broker.setPolicy('/', policy('cap', '^orders', { 'max-length': 2 }));
    // Applied at once: the head is dropped down to the limit, as RabbitMQ does.
    expect(bodies('orders')).toEqual(['3', '4']);
    expect(broker.getQueue('/', 'orders').policy).toBe('cap');

    broker.declareQueue('/', 'orders-eu', {});
    publishTexts(broker, 'orders-eu', ['a', 'b', 'c']);
    expect(bodies('orders-eu')).toEqual(['b', 'c']);
    broker.declareQueue('/', 'billing', {});
    expect(broker.getQueue('/', 'billing').policy).toBeNull();

    broker.deletePolicy('/', 'cap');
    publishTexts(broker, 'orders', ['5', '6']);
    expect(bodies('orders')).toEqual(['3', '4', '5', '6']);
    expect(broker.getQueue('/', 'orders').policy).toBeNull();
  });

  it('the highest priority wins; replacing a policy re-applies it', () => {
    start();
    broker.declareQueue('/', 'jobs', {});
    broker.setPolicy('/', policy('wide', '.*', { 'max-length': 1 }, { priority: 1 }));
    broker.setPolicy('/', policy('narrow', '^jobs$', { 'max-length': 3 }, { priority: 5 }));
    expect(broker.getQueue('/', 'jobs').policy).toBe('narrow');
    publishTexts(broker, 'jobs', ['1', '2', '3', '4']);
    expect(bodies('jobs')).toEqual(['2', '3', '4']);
    broker.setPolicy('/', policy('narrow', '^jobs$', { 'max-length': 2 }, { priority: 5 }));
    expect(bodies('jobs')).toEqual(['3', '4']);
    expect(broker.listPolicies('/').map((p) => [p.name, p.appliesTo.queues])).toEqual([
      ['narrow', 1],
      ['wide', 0],
    ]);
  });

  it('meets the queue arguments as RabbitMQ does: the lower limit wins, the declared dead-letter exchange wins', () => {
    const channel = start();
    broker.declareExchange('/', 'declared-dlx', 'fanout', {});
    broker.declareExchange('/', 'policy-dlx', 'fanout', {});
    broker.declareQueue('/', 'declared-dead', {});
    broker.declareQueue('/', 'policy-dead', {});
    broker.bindQueue('/', 'declared-dead', 'declared-dlx', '', {});
    broker.bindQueue('/', 'policy-dead', 'policy-dlx', '', {});
    broker.declareQueue('/', 'small', { arguments: { 'x-max-length': 2, 'x-dead-letter-exchange': 'declared-dlx' } });
    broker.declareQueue('/', 'big', { arguments: { 'x-max-length': 10 } });
    broker.setPolicy('/', policy('limits', '^(small|big)$', { 'max-length': 3, 'dead-letter-exchange': 'policy-dlx' }));
    publishTexts(broker, 'small', ['1', '2', '3']);
    publishTexts(broker, 'big', ['a', 'b', 'c', 'd']);
    expect(bodies('small')).toEqual(['2', '3']);
    expect(bodies('big')).toEqual(['b', 'c', 'd']);
    // small keeps its own dead-letter exchange; big takes the policy's.
    expect(bodies('declared-dead')).toEqual(['1']);
    expect(bodies('policy-dead')).toEqual(['a']);
    channel.reject(channel.get('big', false)!.deliveryTag, false);
    expect(bodies('policy-dead')).toEqual(['a', 'b']);
  });

  it('gives retry tiers to a queue, with its <queue>.dlq, and a removed tier returns its messages at once', () => {
    const channel = start();
    broker.declareQueue('/', 'work', {});
    broker.setPolicy('/', policy('retry', '.*', { 'retry-tiers': ['5s', '1m'] }));
    // The auto-declared dead-letter queue matches '.*' too but does not retry.
    expect(broker.getQueue('/', 'work.dlq').policy).toBe('retry');
    expect(broker.retries.get('/', 'work')).toMatchObject({ source: 'policy', policy: 'retry' });
    expect(broker.retries.get('/', 'work.dlq').source).toBeNull();
    publishTexts(broker, 'work', ['poison']);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    expect(broker.retries.get('/', 'work').tiers.map((t) => t.count)).toEqual([1, 0]);
    advance(5000);
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    expect(broker.retries.get('/', 'work').tiers.map((t) => t.count)).toEqual([0, 1]);

    // The first tier keeps its place; the 1m tier is gone, so what it held comes back now.
    broker.setPolicy('/', policy('retry', '.*', { 'retry-tiers': ['5s'] }));
    expect(broker.retries.get('/', 'work').tiers.map((t) => t.label)).toEqual(['5s']);
    expect(bodies('work')).toEqual(['poison']);
    expect([...engineOf(broker).vhost('/').holdingAreas.keys()]).toEqual(['amq.retry.work.tier1-5s']);
    // Past its last tier (attempt 2 > 1 tier) it is dead-lettered to work.dlq.
    channel.reject(channel.get('work', false)!.deliveryTag, false);
    expect(bodies('work.dlq')).toEqual(['poison']);

    broker.deletePolicy('/', 'retry');
    expect(broker.retries.get('/', 'work').source).toBeNull();
  });

  it('the lower of the declared and the policy delivery limit stops a message that keeps coming back', () => {
    const channel = start();
    broker.declareQueue('/', 'q', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5 } });
    broker.setPolicy('/', policy('strict', '^q$', { 'delivery-limit': 1, 'dead-letter-exchange': '', 'dead-letter-routing-key': 'q-dead' }));
    broker.declareQueue('/', 'q-dead', {});
    publishTexts(broker, 'q', ['crash']);
    channel.nack(channel.get('q', false)!.deliveryTag, false, true);
    channel.nack(channel.get('q', false)!.deliveryTag, false, true);
    expect(bodies('q')).toEqual([]);
    expect(broker.browseQueue('/', 'q-dead', { limit: 1 })[0]!.properties.headers?.['x-first-death-reason']).toBe('delivery_limit');
  });

  it('sets an alternate exchange on exchanges it applies to, unless the exchange declares its own', () => {
    start();
    broker.declareExchange('/', 'unrouted', 'fanout', {});
    broker.declareQueue('/', 'lost-and-found', {});
    broker.bindQueue('/', 'lost-and-found', 'unrouted', '', {});
    broker.declareExchange('/', 'events', 'direct', {});
    broker.declareExchange('/', 'own-ae', 'fanout', {});
    broker.declareQueue('/', 'own-unrouted', {});
    broker.bindQueue('/', 'own-unrouted', 'own-ae', '', {});
    broker.declareExchange('/', 'events-own', 'direct', { arguments: { 'alternate-exchange': 'own-ae' } });
    broker.setPolicy('/', policy('ae', '^events', { 'alternate-exchange': 'unrouted' }, { applyTo: 'exchanges' }));
    broker.publish('/', 'events', 'nobody-listens', {}, Buffer.from('x'));
    broker.publish('/', 'events-own', 'nobody-listens', {}, Buffer.from('y'));
    expect(bodies('lost-and-found')).toEqual(['x']);
    expect(bodies('own-unrouted')).toEqual(['y']);
    expect(broker.listExchanges('/').find((e) => e.name === 'events')?.policy).toBe('ae');
    // A queue-only policy does not touch exchanges, and an exchange policy no queue.
    broker.declareQueue('/', 'events', {});
    expect(broker.getQueue('/', 'events').policy).toBeNull();
  });

  it('gives streams only the keys that apply to them, and classic queues none of the stream ones', () => {
    start();
    broker.declareQueue('/', 'log', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    broker.declareQueue('/', 'jobs', {});
    broker.setPolicy('/', policy('all', '.*', { 'max-length': 1, 'max-age': '7D', 'max-length-bytes': 1000 }));
    expect(broker.getQueue('/', 'log')).toMatchObject({
      policy: 'all',
      effectiveArguments: { 'x-queue-type': 'stream', 'x-max-age': '7D', 'x-max-length-bytes': 1000 },
    });
    expect(broker.getQueue('/', 'log').effectiveArguments['x-max-length']).toBeUndefined();
    expect(broker.getQueue('/', 'jobs').effectiveArguments).toEqual({ 'x-max-length': 1, 'x-max-length-bytes': 1000 });
  });

  it('refuses a bad policy with what is wrong and what is accepted', () => {
    start();
    expectBrokerError(
      () => broker.setPolicy('/', policy('p', '.*', { 'max-lenght': 1 })),
      406,
      /PRECONDITION_FAILED - policy 'p' in vhost '\/': 'max-lenght' cannot be set by a policy that applies to queues; accepted keys: message-ttl, expires, max-length/,
    );
    expectBrokerError(
      () => broker.setPolicy('/', policy('p', '(', { 'max-length': 1 })),
      406,
      "PRECONDITION_FAILED - policy 'p' in vhost '/': pattern '(' at position 1: the group opened here is not closed; add ')' (to match '(' write '\\(')",
    );
    expectBrokerError(
      () => broker.setPolicy('/', policy('p', '^(a)\\1$', { 'max-length': 1 })),
      406,
      "PRECONDITION_FAILED - policy 'p' in vhost '/': pattern '^(a)\\1$' at position 5: backreferences are not supported",
    );
    expectBrokerError(() => broker.setPolicy('/', policy('p', '.*', { 'max-length': -1 })), 406, /invalid value -1 for 'max-length': \{value_negative,-1\}/);
    expectBrokerError(
      () => broker.setPolicy('/', policy('p', '.*', { 'retry-tiers': ['5 parsecs'] })),
      406,
      /invalid value \["5 parsecs"\] for 'retry-tiers': .*unknown unit 'parsecs'.*accepted: 1 to 20 delays/,
    );
    expectBrokerError(
      () => broker.setPolicy('/', policy('p', '.*', { 'alternate-exchange': 'x' })),
      406,
      /'alternate-exchange' cannot be set by a policy that applies to queues/,
    );
    expectBrokerError(() => broker.setPolicy('/', policy('p', '.*', {})), 406, /the definition is empty/);
    expectBrokerError(
      () => broker.setPolicy('/', policy('p', '.*', { 'max-age': '7 days' })),
      406,
      /invalid value "7 days" for 'max-age': expected a duration such as 7D/,
    );
    expectBrokerError(() => broker.setPolicy('/', policy('', '.*', { 'max-length': 1 })), 406, /a name of 1 to 255 characters is required/);
    expectBrokerError(() => broker.setPolicy('/nope', policy('p', '.*', { 'max-length': 1 })), 404, /no vhost '\/nope'/);
    expectBrokerError(() => broker.deletePolicy('/', 'missing'), 404, "NOT_FOUND - no policy 'missing' in vhost '/'");
    expect(broker.listPolicies('/')).toEqual([]);
  });

  it('matches a catastrophic pattern such as ^(a+)+$ in linear time', () => {
    // A backtracking engine would take longer than the universe's age on the first name.
    start();
    broker.setPolicy('/', policy('nested', '^(a+)+$', { 'max-length': 5 }));
    broker.declareQueue('/', 'a'.repeat(254) + '!', {});
    broker.declareQueue('/', 'a'.repeat(255), {});
    expect(broker.getQueue('/', 'a'.repeat(254) + '!').policy).toBeNull();
    expect(broker.getQueue('/', 'a'.repeat(255)).policy).toBe('nested');
  });
});
