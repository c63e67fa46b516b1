import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from './broker';
import { collector, expectBrokerError, publishTexts, settle, setup, text } from './test-support';

let broker: Broker;
afterEach(() => broker?.close());

function start() {
  const s = setup();
  broker = s.broker;
  broker.declareQueue('/', 'q');
  return s;
}

describe('consuming', () => {
  it('delivers in order with delivery tags from 1, after consume returns', async () => {
    const { channel } = start();
    publishTexts(broker, 'q', ['a', 'b', 'c']);
    const c = collector();
    const tag = channel.consume('q', {}, c.deliver);
    expect(tag).toMatch(/^amq\.ctag-/);
    expect(c.deliveries).toHaveLength(0); // consume-ok goes first
    await settle();
    expect(c.texts()).toEqual(['a', 'b', 'c']);
    expect(c.deliveries.map((d) => [d.deliveryTag, d.consumerTag, d.redelivered, d.exchange, d.routingKey])).toEqual([
      [1, tag, false, '', 'q'],
      [2, tag, false, '', 'q'],
      [3, tag, false, '', 'q'],
    ]);
  });

  it('round-robins among consumers of equal priority', async () => {
    const { channel } = start();
    const a = collector();
    const b = collector();
    channel.consume('q', {}, a.deliver);
    channel.consume('q', {}, b.deliver);
    await settle();
    publishTexts(broker, 'q', ['1', '2', '3', '4']);
    expect(a.texts()).toEqual(['1', '3']);
    expect(b.texts()).toEqual(['2', '4']);
  });

  it('honours per-consumer prefetch and resumes on ack', async () => {
    const { channel } = start();
    channel.qos(2, false);
    const c = collector();
    channel.consume('q', {}, c.deliver);
    await settle();
    publishTexts(broker, 'q', ['1', '2', '3', '4', '5']);
    expect(c.texts()).toEqual(['1', '2']);
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 3, unacked: 2 });
    channel.ack(2, true);
    expect(c.texts()).toEqual(['1', '2', '3', '4']);
  });

  it('shares a global (channel) prefetch between consumers of different queues', async () => {
    const { channel } = start();
    broker.declareQueue('/', 'r');
    channel.qos(3, true);
    const c = collector();
    channel.consume('q', {}, c.deliver);
    channel.consume('r', {}, c.deliver);
    await settle();
    publishTexts(broker, 'q', ['q1', 'q2']);
    publishTexts(broker, 'r', ['r1', 'r2']);
    expect(c.texts()).toEqual(['q1', 'q2', 'r1']);
    channel.ack(1, false);
    expect(c.texts()).toEqual(['q1', 'q2', 'r1', 'r2']);
  });

  it('gives messages to the highest-priority consumer with credit first', async () => {
    const { channel, connection } = start();
    const low = collector();
    const high = collector();
    channel.consume('q', { priority: 1 }, low.deliver);
    const other = connection.openChannel(2);
    other.qos(2, false);
    other.consume('q', { arguments: { 'x-priority': 10 } }, high.deliver);
    await settle();
    publishTexts(broker, 'q', ['1', '2', '3', '4']);
    expect(high.texts()).toEqual(['1', '2']);
    expect(low.texts()).toEqual(['3', '4']);
  });

  it('validates the x-priority consume argument', () => {
    const { channel } = start();
    expectBrokerError(
      () => channel.consume('q', { arguments: { 'x-priority': 'high' } }, () => {}),
      406,
      `PRECONDITION_FAILED - invalid arg 'x-priority' for queue 'q' in vhost '/': "expected integer, got longstr"`,
    );
  });

  it('refuses a second consumer next to an exclusive one (403) and a reused tag (530)', () => {
    const { channel } = start();
    channel.consume('q', { exclusive: true, consumerTag: 'only' }, () => {});
    expectBrokerError(() => channel.consume('q', {}, () => {}), 403, "ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use");
    const error = expectBrokerError(() => channel.consume('q', { consumerTag: 'only' }, () => {}), 530, "NOT_ALLOWED - attempt to reuse consumer tag 'only'");
    expect(error.scope).toBe('connection');
  });

  it('stops delivering after cancel, and the server cancels consumers of a deleted queue', async () => {
    const { channel } = start();
    const c = collector();
    const cancelled: string[] = [];
    const tag = channel.consume('q', {}, c.deliver, (t) => cancelled.push(t));
    await settle();
    broker.deleteQueue('/', 'q');
    expect(cancelled).toEqual([tag]);
    broker.declareQueue('/', 'q');
    const d = collector();
    const tag2 = channel.consume('q', {}, d.deliver);
    await settle();
    channel.cancel(tag2);
    publishTexts(broker, 'q', ['late']);
    expect(d.deliveries).toHaveLength(0);
    expect(broker.getQueue('/', 'q').ready).toBe(1);
  });

  it('get pulls one message with the remaining count, or null', () => {
    const { channel } = start();
    publishTexts(broker, 'q', ['a', 'b']);
    const first = channel.get('q', false);
    expect([text(first), first?.deliveryTag, first?.messageCount, first?.consumerTag]).toEqual(['a', 1, 1, '']);
    const second = channel.get('q', true);
    expect([text(second), second?.messageCount]).toEqual(['b', 0]);
    expect(channel.get('q', false)).toBeNull();
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 1 });
  });

  it('ack multiple settles every tag up to the given one; unknown tags are 406', () => {
    const { channel } = start();
    publishTexts(broker, 'q', ['1', '2', '3']);
    for (let i = 0; i < 3; i++) channel.get('q', false);
    channel.ack(2, true);
    expect(channel.unackedCount).toBe(1);
    const error = expectBrokerError(() => channel.ack(2, false), 406, 'PRECONDITION_FAILED - unknown delivery tag 2');
    expect(error.scope).toBe('channel');
    channel.ack(0, true);
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('nack with requeue puts messages back at their original position, marked redelivered', () => {
    const { channel } = start();
    publishTexts(broker, 'q', ['1', '2', '3', '4']);
    const got = [channel.get('q', false), channel.get('q', false), channel.get('q', false)];
    channel.nack(got[2]!.deliveryTag, false, true);
    channel.reject(got[0]!.deliveryTag, true);
    const order = [];
    for (let d = channel.get('q', true); d; d = channel.get('q', true)) order.push([text(d), d.redelivered]);
    expect(order).toEqual([
      ['1', true],
      ['3', true],
      ['4', false],
    ]);
  });

  it('nack without requeue drops the message (no dead-letter exchange)', () => {
    const { channel } = start();
    publishTexts(broker, 'q', ['1']);
    channel.nack(channel.get('q', false)!.deliveryTag, false, false);
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 0 });
    expect(broker.getQueue('/', 'q').counters.rejected).toBe(1);
  });

  it('closing a channel requeues its unacked messages in order for other consumers', async () => {
    const { channel, connection } = start();
    publishTexts(broker, 'q', ['1', '2', '3']);
    const first = collector();
    channel.consume('q', {}, first.deliver);
    await settle();
    expect(first.texts()).toEqual(['1', '2', '3']);
    const second = collector();
    connection.openChannel(2).consume('q', {}, second.deliver);
    await settle();
    channel.close();
    expect(second.deliveries.map((d) => [text(d), d.redelivered])).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
    ]);
  });

  it('recover requeues and redelivers everything unacked; requeue=false is 540', async () => {
    const { channel } = start();
    publishTexts(broker, 'q', ['1', '2']);
    const c = collector();
    channel.consume('q', {}, c.deliver);
    await settle();
    channel.recover(true);
    expect(c.deliveries.map((d) => [text(d), d.deliveryTag, d.redelivered])).toEqual([
      ['1', 1, false],
      ['2', 2, false],
      ['1', 3, true],
      ['2', 4, true],
    ]);
    expectBrokerError(() => channel.recover(false), 540, 'NOT_IMPLEMENTED - requeue=false');
  });

  it('pauses deliveries while the channel is not writable and loses nothing', async () => {
    const { channel } = start();
    const c = collector();
    channel.consume('q', {}, c.deliver);
    await settle();
    publishTexts(broker, 'q', ['1']);
    channel.setWritable(false);
    publishTexts(broker, 'q', ['2', '3']);
    expect(c.texts()).toEqual(['1']);
    expect(broker.getQueue('/', 'q').ready).toBe(2);
    channel.setWritable(true);
    expect(c.texts()).toEqual(['1', '2', '3']);
  });

  it('a consumer may ack and publish from inside its callback, without recursion', async () => {
    const { channel } = start();
    channel.qos(1, false);
    const seen: number[] = [];
    channel.consume('q', {}, (d) => {
      const n = Number(d.message.body.toString());
      seen.push(n);
      channel.ack(d.deliveryTag, false);
      if (n < 20_000) broker.publish('/', '', 'q', {}, Buffer.from(String(n + 1)));
    });
    await settle();
    publishTexts(broker, 'q', ['1']);
    expect(seen).toHaveLength(20_000);
    expect(seen.every((n, i) => n === i + 1)).toBe(true);
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('single active consumer: only the first consumer receives until it goes', async () => {
    const { channel } = start();
    broker.declareQueue('/', 'sac', { arguments: { 'x-single-active-consumer': true } });
    const a = collector();
    const b = collector();
    const tagA = channel.consume('sac', {}, a.deliver);
    channel.consume('sac', {}, b.deliver);
    await settle();
    publishTexts(broker, 'sac', ['1', '2']);
    expect(a.texts()).toEqual(['1', '2']);
    expect(broker.getQueue('/', 'sac').activeConsumerTag).toBe(tagA);
    channel.cancel(tagA);
    publishTexts(broker, 'sac', ['3']);
    expect(b.texts()).toEqual(['3']);
  });

  it('a no-ack consumer is not limited by prefetch and leaves nothing unacked', async () => {
    const { channel } = start();
    channel.qos(1, false);
    const c = collector();
    channel.consume('q', { noAck: true }, c.deliver);
    await settle();
    publishTexts(broker, 'q', ['1', '2', '3']);
    expect(c.texts()).toEqual(['1', '2', '3']);
    expect(channel.unackedCount).toBe(0);
  });

  it('checks the user-id property against the connection user', () => {
    const { channel } = start();
    expectBrokerError(
      () => channel.publish('', 'q', { userId: 'mallory' }, Buffer.from('x')),
      406,
      "PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'guest'",
    );
    expect(channel.publish('', 'q', { userId: 'guest' }, Buffer.from('x')).routed).toBe(1);
  });

  it('closing the connection closes its channels', async () => {
    const { channel, connection } = start();
    publishTexts(broker, 'q', ['1']);
    channel.consume('q', {}, () => {});
    await settle();
    expect(broker.getQueue('/', 'q').unacked).toBe(1);
    connection.close();
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 1, unacked: 0, consumers: 0 });
    expect(broker.listConnections()).toHaveLength(0);
  });
});
