import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker/broker';
import { BrokerSampler } from './broker-sampler';

describe('BrokerSampler', () => {
  const brokers: Broker[] = [];
  afterEach(() => brokers.splice(0).forEach((b) => b.close()));

  function setUp() {
    const broker = new Broker();
    brokers.push(broker);
    broker.declareQueue('/', 'orders', { durable: false });
    return { broker, sampler: new BrokerSampler(broker) };
  }

  it('turns counters into rates between two samples, and keeps a depth history per queue', async () => {
    const { broker, sampler } = setUp();
    const seen: number[] = [];
    sampler.subscribe((s) => seen.push(s.value.rates.published));
    sampler.sample();
    for (let i = 0; i < 50; i++) broker.publish('/', '', 'orders', {}, Buffer.from('x'));
    await new Promise((r) => setTimeout(r, 100));
    sampler.sample();

    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(0);
    // 50 messages in about a tenth of a second: a few hundred per second.
    expect(seen[1]).toBeGreaterThan(100);
    expect(seen[1]).toBeLessThan(1000);
    expect(sampler.queueRates('/', 'orders').incoming).toBeCloseTo(seen[1]!, 5);
    expect(sampler.queueSeries('/', 'orders').depth).toEqual([0, 50]);
    expect(sampler.exchangeRates('/', '').publishIn).toBeCloseTo(seen[1]!, 5);
    expect(sampler.perSecond.toArray().map((p) => p.value.ready)).toEqual([0, 50]);
  });

  it('dates the oldest ready message from the samples, without a clock per message', () => {
    const { broker, sampler } = setUp();
    sampler.sample();
    broker.publish('/', '', 'orders', {}, Buffer.from('old'));
    sampler.sample();
    const firstSeen = sampler.perSecond.toArray().at(-1)!.at;
    broker.publish('/', '', 'orders', {}, Buffer.from('new'));
    sampler.sample();
    expect(sampler.headAgeMs('/', 'orders', firstSeen + 5_000)).toBe(5_000);
    // Once the old one is consumed, the head is the newer message, dated by the later sample.
    const channel = broker.openConnection({ vhost: '/', user: 'test', clientProperties: {}, peerAddress: 'test' }).openChannel(1);
    channel.get('orders', true);
    sampler.sample();
    const secondSeen = sampler.perSecond.toArray().at(-2)!.at;
    expect(sampler.headAgeMs('/', 'orders', secondSeen + 1_000)).toBe(1_000);
    channel.get('orders', true);
    sampler.sample();
    expect(sampler.headAgeMs('/', 'orders')).toBeNull();
  });

  it('forgets a queue once it is deleted', () => {
    const { broker, sampler } = setUp();
    sampler.sample();
    broker.deleteQueue('/', 'orders');
    sampler.sample();
    expect(sampler.queueSeries('/', 'orders')).toEqual({ rates: { incoming: 0, deliver: 0, ack: 0, utilisation: null }, depth: [] });
  });
});
