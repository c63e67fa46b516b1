import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from './broker';
import { collector, expectBrokerError, publishTexts, settle, setup, text } from './test-support';

let broker: Broker;
afterEach(() => broker?.close());

describe('unacked deliveries of a busy channel', () => {
  // The channel replaces its unacked Map every 1000 or so settlements (for the GC): nothing outstanding may be lost.
  it('keeps an old delivery outstanding across thousands of acks and nacks, and settles it last', async () => {
    const s = setup();
    broker = s.broker;
    const channel = s.channel;
    broker.declareQueue('/', 'q');
    publishTexts(
      broker,
      'q',
      Array.from({ length: 3000 }, (_, i) => String(i)),
    );
    channel.qos(100, false);
    const c = collector();
    channel.consume('q', {}, c.deliver);
    await settle();
    // Tag 1 stays unacked throughout; every other delivery is acked, or rejected without requeue (every 7th).
    for (let i = 1; i < c.deliveries.length; i++) {
      const tag = c.deliveries[i]!.deliveryTag;
      if (i % 7 === 0) channel.reject(tag, false);
      else channel.ack(tag, false);
    }
    expect(c.deliveries).toHaveLength(3000);
    expect(new Set(c.texts()).size).toBe(3000);
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 1 });
    expectBrokerError(() => channel.ack(2, false), 406, 'PRECONDITION_FAILED - unknown delivery tag 2');
    expect(text(c.deliveries[0]!)).toBe('0');
    channel.ack(1, false);
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('settles with multiple=true across renewals', async () => {
    const s = setup();
    broker = s.broker;
    const channel = s.channel;
    broker.declareQueue('/', 'q');
    publishTexts(
      broker,
      'q',
      Array.from({ length: 5000 }, (_, i) => String(i)),
    );
    channel.qos(100, false);
    const c = collector();
    channel.consume('q', {}, c.deliver);
    await settle();
    // One consumer: tags are 1..n for the n deliveries so far. Each ack leaves the newest 10 outstanding, until the last.
    for (let acked = 0; acked < 5000; ) {
      const delivered = c.deliveries.length;
      acked = delivered === 5000 ? 5000 : delivered - 10;
      channel.ack(acked, true);
    }
    expect(broker.getQueue('/', 'q')).toMatchObject({ ready: 0, unacked: 0 });
    expect(c.texts()).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)));
  });
});
