import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../broker/broker';
import { collector, publishTexts, settle, setup } from '../broker/test-support';
import { BrokerSampler } from './broker-sampler';
import { QUEUE_STATES, queueState, type QueueStateInput } from './queue-state';

const still = { incoming: 0, deliver: 0, ack: 0, utilisation: null };
const base: QueueStateInput = { type: 'classic', paused: false, ready: 0, unacked: 0, consumers: 0, rates: still };

describe('queueState', () => {
  it('names each situation a person on call tells apart', () => {
    expect(queueState(base)).toBe('idle');
    expect(queueState({ ...base, ready: 40 })).toBe('no-consumers');
    expect(queueState({ ...base, ready: 40, consumers: 1, unacked: 10, rates: { ...still, incoming: 5, utilisation: 0 } })).toBe('saturated');
    // Ready messages but consumers with room most of the second: they are taking them.
    expect(queueState({ ...base, ready: 3, consumers: 2, rates: { incoming: 50, deliver: 50, ack: 50, utilisation: 0.9 } })).toBe('keeping-up');
    expect(queueState({ ...base, consumers: 2, unacked: 4, rates: { incoming: 50, deliver: 50, ack: 50, utilisation: 1 } })).toBe('keeping-up');
    // Consumers attached, nothing to do: idle, not "100 % utilised".
    expect(queueState({ ...base, consumers: 2, rates: { ...still, utilisation: 1 } })).toBe('idle');
    expect(queueState({ ...base, ready: 40, consumers: 1, paused: true, rates: { ...still, utilisation: 0 } })).toBe('paused');
    expect(queueState({ ...base, type: 'stream', ready: 1000 })).toBe('stream');
  });

  it('has a label and an explanation for every state', () => {
    for (const { label, explanation } of Object.values(QUEUE_STATES)) {
      expect(label).not.toBe('');
      expect(explanation.length).toBeGreaterThan(20);
    }
  });
});

describe('queueState from a sampled broker', () => {
  let broker: Broker | undefined;
  afterEach(() => broker?.close());

  const stateOf = (sampler: BrokerSampler, name: string) => {
    const q = broker!.getQueue('/', name);
    return queueState({ ...q, rates: sampler.queueRates('/', name) });
  };

  it('reads "consumers saturated" while a consumer with prefetch 10 holds 10 unacked and more wait', async () => {
    const s = setup();
    broker = s.broker;
    broker.declareQueue('/', 'busy');
    broker.declareQueue('/', 'orphaned');
    broker.declareQueue('/', 'quiet');
    s.channel.qos(10, false);
    s.channel.consume('busy', {}, collector().deliver);
    s.channel.consume('quiet', {}, collector().deliver);
    await settle();
    publishTexts(
      broker,
      'busy',
      Array.from({ length: 25 }, (_, i) => `m${i}`),
    );
    publishTexts(broker, 'orphaned', ['a', 'b']);
    const sampler = new BrokerSampler(broker);
    sampler.sample();
    await new Promise((r) => setTimeout(r, 150));
    sampler.sample();

    expect(broker.getQueue('/', 'busy')).toMatchObject({ ready: 15, unacked: 10 });
    expect(stateOf(sampler, 'busy')).toBe('saturated');
    expect(stateOf(sampler, 'orphaned')).toBe('no-consumers');
    expect(stateOf(sampler, 'quiet')).toBe('idle');

    // Acknowledging frees room: the consumer takes the next ten at once, and the rest still wait.
    s.channel.ack(0, true);
    await settle();
    await new Promise((r) => setTimeout(r, 100));
    sampler.sample();
    expect(broker.getQueue('/', 'busy')).toMatchObject({ ready: 5, unacked: 10 });
    expect(stateOf(sampler, 'busy')).toBe('saturated');
  });
});
