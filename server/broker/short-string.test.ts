import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from './broker';
import { shortStringProblem } from './short-string';
import { expectBrokerError } from './test-support';

let broker: Broker;
afterEach(() => broker?.close());

const EURO_255 = '€'.repeat(255); // 255 characters, 765 bytes in UTF-8

describe('the short-string rule', () => {
  it('measures bytes in UTF-8, not characters', () => {
    expect(shortStringProblem('q'.repeat(255))).toBeNull();
    expect(shortStringProblem('€'.repeat(85))).toBeNull(); // 255 bytes
    expect(shortStringProblem('€'.repeat(86))).toBe('is 258 bytes in UTF-8; AMQP allows at most 255');
    expect(shortStringProblem('bad \ud800 half')).toMatch(/lone UTF-16 surrogate/);
  });

  it('refuses queue, exchange and vhost names, binding keys and dead-letter keys that AMQP cannot carry (406)', () => {
    broker = new Broker();
    expectBrokerError(() => broker.declareQueue('/', EURO_255), 406, /^PRECONDITION_FAILED - queue name '€+…' is 765 bytes in UTF-8; AMQP allows at most 255$/);
    expectBrokerError(() => broker.declareExchange('/', EURO_255, 'direct'), 406, /exchange name '€+…' is 765 bytes/);
    expectBrokerError(() => broker.createVhost(EURO_255), 406, /vhost name '€+…' is 765 bytes/);
    broker.declareQueue('/', 'q');
    expectBrokerError(() => broker.bindQueue('/', 'q', 'amq.topic', 'k'.repeat(256)), 406, /routing key 'k+…' is 256 bytes/);
    expectBrokerError(
      () => broker.declareQueue('/', 'dl', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'r'.repeat(300) } }),
      406,
      `PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'dl' in vhost '/': "the value is 300 bytes in UTF-8; AMQP allows at most 255"`,
    );
    expect(broker.listQueues().map((q) => q.name)).toEqual(['q']);
  });

  it('refuses a queue whose <queue>.dlq name would be too long, and a policy dead-letter key that is', () => {
    broker = new Broker();
    const name = 'w'.repeat(252);
    expect(() => broker.declareQueue('/', name)).not.toThrow();
    expectBrokerError(
      () => broker.declareQueue('/', `${name}2`, { arguments: { 'x-retry-tiers': ['1s'] } }),
      406,
      /dead-letter queue name 'w+…' that queue 'w+…' needs is 257 bytes/,
    );
    expectBrokerError(
      () =>
        broker.setPolicy('/', {
          name: 'p',
          pattern: '.*',
          applyTo: 'queues',
          priority: 0,
          definition: { 'dead-letter-exchange': '', 'dead-letter-routing-key': 'r'.repeat(300) },
        }),
      406,
      /dead-letter-routing-key.*300 bytes/,
    );
  });
});
