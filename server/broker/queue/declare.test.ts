import { afterEach, describe, expect, it, vi } from 'vitest';
import { Broker } from '../broker';
import { collector, expectBrokerError, openConnection, settle } from '../test-support';

let broker: Broker;
afterEach(() => broker?.close());

describe('queue.declare', () => {
  it('names a queue amq.gen-... when the name is empty, and is idempotent', () => {
    broker = new Broker();
    const first = broker.declareQueue('/', '');
    expect(first.name).toMatch(/^amq\.gen-[A-Za-z0-9_-]{20,}$/);
    expect(broker.declareQueue('/', '').name).not.toBe(first.name);
    broker.publish('/', '', first.name, {}, Buffer.from('x'));
    expect(broker.declareQueue('/', first.name)).toEqual({ name: first.name, messageCount: 1, consumerCount: 0 });
  });

  it('fails with 406 and RabbitMQ text when durable or arguments differ', () => {
    broker = new Broker();
    broker.declareQueue('/', 'jobs', { durable: true, arguments: { 'x-message-ttl': 1000 } });
    expectBrokerError(
      () => broker.declareQueue('/', 'jobs', { durable: false, arguments: { 'x-message-ttl': 1000 } }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'jobs' in vhost '/': received 'false' but current is 'true'",
    );
    expectBrokerError(
      () => broker.declareQueue('/', 'jobs', { durable: true }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'jobs' in vhost '/': received none but current is the value '1000' of type 'long'",
    );
  });

  it('passive declare: 404 when missing, counts when present', () => {
    broker = new Broker();
    expectBrokerError(() => broker.declareQueue('/', 'ghost', { passive: true }), 404, "NOT_FOUND - no queue 'ghost' in vhost '/'");
    broker.declareQueue('/', 'real');
    expect(broker.declareQueue('/', 'real', { passive: true })).toEqual({ name: 'real', messageCount: 0, consumerCount: 0 });
  });

  it('refuses the reserved amq. prefix', () => {
    broker = new Broker();
    expectBrokerError(() => broker.declareQueue('/', 'amq.mine'), 403, "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'");
  });

  it('an exclusive queue is locked to its connection (405) and deleted when it closes', () => {
    broker = new Broker();
    const owner = openConnection(broker);
    const other = openConnection(broker);
    broker.declareQueue('/', 'mine', { exclusive: true }, { connection: owner });
    const locked =
      "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'mine' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";
    expectBrokerError(() => broker.declareQueue('/', 'mine', { exclusive: true }, { connection: other }), 405, locked);
    expectBrokerError(() => broker.declareQueue('/', 'mine', { passive: true }, { connection: other }), 405, locked);
    expectBrokerError(() => other.openChannel(1).consume('mine', {}, () => {}), 405, locked);
    expectBrokerError(() => broker.purgeQueue('/', 'mine', { connection: other }), 405, locked);
    // Publishing to it from elsewhere is allowed, as in RabbitMQ.
    expect(broker.publish('/', '', 'mine', {}, Buffer.from('x')).routed).toBe(1);
    owner.close();
    expect(broker.listQueues('/').map((q) => q.name)).not.toContain('mine');
  });

  it('an auto-delete queue goes when its last consumer is cancelled', async () => {
    broker = new Broker();
    const channel = openConnection(broker).openChannel(1);
    broker.declareQueue('/', 'temp', { autoDelete: true });
    const a = channel.consume('temp', {}, () => {});
    const b = channel.consume('temp', {}, () => {});
    await settle();
    channel.cancel(a);
    expect(broker.listQueues('/').map((q) => q.name)).toContain('temp');
    channel.cancel(b);
    expect(broker.listQueues('/').map((q) => q.name)).not.toContain('temp');
  });

  it('x-expires deletes a queue left unused, but not one with a consumer (timers faked)', () => {
    vi.useFakeTimers();
    try {
      broker = new Broker();
      broker.declareQueue('/', 'idle', { arguments: { 'x-expires': 40 } });
      broker.declareQueue('/', 'busy', { arguments: { 'x-expires': 40 } });
      const channel = openConnection(broker).openChannel(1);
      channel.consume('busy', {}, collector().deliver);
      vi.advanceTimersByTime(39);
      expect(broker.listQueues('/').map((q) => q.name)).toEqual(['idle', 'busy']);
      vi.advanceTimersByTime(81);
      expect(broker.listQueues('/').map((q) => q.name)).toEqual(['busy']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('accepts quorum queues (durable only) and refuses unknown types', () => {
    broker = new Broker();
    broker.declareQueue('/', 'qq', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    expect(broker.getQueue('/', 'qq').type).toBe('quorum');
    expectBrokerError(
      () => broker.declareQueue('/', 'qq2', { durable: false, arguments: { 'x-queue-type': 'quorum' } }),
      406,
      "PRECONDITION_FAILED - invalid property 'non-durable' for queue 'qq2' in vhost '/'",
    );
    expectBrokerError(
      () => broker.declareQueue('/', 'odd', { arguments: { 'x-queue-type': 'lifo' } }),
      406,
      `PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue 'odd' in vhost '/': "unsupported queue type 'lifo'"`,
    );
    broker.declareQueue('/', 'log', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    expect(broker.getQueue('/', 'log').type).toBe('stream');
  });

  it.each([
    ['x-max-length', -1, '{value_negative,-1}'],
    ['x-max-length-bytes', 'ten', '"expected integer, got longstr"'],
    ['x-message-ttl', 1.5, '"expected integer, got double"'],
    ['x-expires', 0, '{value_zero,0}'],
    ['x-max-priority', 256, '{max_value_exceeded,256}'],
    ['x-overflow', 'drop-tail', 'invalid_overflow'],
    ['x-dead-letter-exchange', 5, '{unacceptable_type,long}'],
    ['x-single-active-consumer', 'yes', '{unacceptable_type,longstr}'],
    ['x-dead-letter-routing-key', 'k', 'routing_key_but_no_dlx_defined'],
  ])("validates %s = %j with RabbitMQ's reason", (arg, value, reason) => {
    broker = new Broker();
    expectBrokerError(
      () => broker.declareQueue('/', 'q', { arguments: { [arg]: value } }),
      406,
      `PRECONDITION_FAILED - invalid arg '${arg}' for queue 'q' in vhost '/': ${reason}`,
    );
  });
});
