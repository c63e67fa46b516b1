import { describe, expect, it } from 'vitest';
import { expectBrokerError } from '../test-support';
import { AccessControl } from './access-control';

const none = () => false;

describe('AccessControl', () => {
  it('matches patterns unanchored, an empty pattern matching nothing, the default exchange as amq.default', () => {
    const access = new AccessControl();
    access.set('u', '/', { configure: 'orders', write: '', read: '^amq\\.default$' });
    expect(access.allows('u', '/', 'configure', 'queue', 'eu.orders.new')).toBe(true);
    expect(access.allows('u', '/', 'write', 'exchange', 'anything')).toBe(false);
    expect(access.allows('u', '/', 'read', 'exchange', '')).toBe(true);
    expectBrokerError(
      () => access.check('u', '/', 'write', 'exchange', ''),
      403,
      "ACCESS_REFUSED - write access to exchange 'amq.default' in vhost '/' refused for user 'u'",
    );
  });

  it('refuses a vhost without a permission with 530, closing the connection', () => {
    const access = new AccessControl();
    access.set('u', '/', { configure: '.*', write: '.*', read: '.*' });
    access.checkVhost('u', '/');
    const error = expectBrokerError(() => access.checkVhost('u', '/x'), 530, "NOT_ALLOWED - access to vhost '/x' refused for user 'u'");
    expect(error.scope).toBe('connection');
  });

  it("asks for RabbitMQ's permissions per operation, dead-letter and alternate exchanges only on creation", () => {
    const access = new AccessControl();
    access.set('u', '/', { configure: '.*', write: '^dlx$', read: '^$' });
    // A new queue with a dead-letter exchange also reads from itself: read is refused here.
    expectBrokerError(
      () => access.authorize('u', '/', { method: 'queue.declare', queue: 'work', passive: false, deadLetterExchange: 'dlx' }, none),
      403,
      "ACCESS_REFUSED - read access to queue 'work' in vhost '/' refused for user 'u'",
    );
    access.authorize('u', '/', { method: 'queue.declare', queue: 'work', passive: false, deadLetterExchange: 'dlx' }, () => true);
    access.authorize('u', '/', { method: 'queue.declare', queue: 'other', passive: true }, none);
    expectBrokerError(
      () => access.authorize('u', '/', { method: 'exchange.bind', destination: 'dlx', source: 'src' }, none),
      403,
      /read access to exchange 'src'/,
    );
    expectBrokerError(() => access.authorize('u', '/', { method: 'queue.purge', queue: 'work' }, none), 403, /read access to queue 'work'/);
  });

  it('forgets a vhost and a user', () => {
    const access = new AccessControl();
    access.set('u', '/a', { configure: '.*', write: '.*', read: '.*' });
    access.set('u', '/b', { configure: '.*', write: '.*', read: '.*' });
    access.forgetVhost('/a');
    expect(access.vhostsOf('u')).toEqual(['/b']);
    access.forgetUser('u');
    expect(access.list()).toEqual([]);
  });
});
