import { afterEach, describe, expect, it, vi } from 'vitest';
import { Broker } from '../broker';
import { collector, openConnection, publishTexts, settle, text } from '../test-support';

let broker: Broker;
afterEach(() => broker?.close());

function drain(queue: string): string[] {
  const channel = openConnection(broker).openChannel(1);
  const out: string[] = [];
  for (let d = channel.get(queue, true); d; d = channel.get(queue, true)) out.push(text(d));
  return out;
}

describe('expiry', () => {
  it('x-message-ttl expires waiting messages on the scheduler, without a consumer polling (timers faked)', () => {
    vi.useFakeTimers();
    try {
      broker = new Broker();
      broker.declareQueue('/', 'ttl', { arguments: { 'x-message-ttl': 80 } });
      publishTexts(broker, 'ttl', ['old']);
      vi.advanceTimersByTime(40);
      publishTexts(broker, 'ttl', ['newer']);
      vi.advanceTimersByTime(39);
      expect(broker.getQueue('/', 'ttl').ready).toBe(2);
      vi.advanceTimersByTime(1); // 80 ms after 'old'
      expect(broker.getQueue('/', 'ttl').ready).toBe(1);
      expect(broker.getQueue('/', 'ttl').counters.expired).toBe(1);
      vi.advanceTimersByTime(40); // 80 ms after 'newer'
      expect(broker.getQueue('/', 'ttl').ready).toBe(0);
      expect(broker.getQueue('/', 'ttl').counters.expired).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('per-message expiration and the queue TTL: the smaller wins (injected clock)', () => {
    let now = 1_000_000;
    broker = new Broker({ now: () => now });
    broker.declareQueue('/', 'q', { arguments: { 'x-message-ttl': 1000 } });
    publishTexts(broker, 'q', ['short'], { expiration: '100' });
    publishTexts(broker, 'q', ['long'], { expiration: '5000' });
    now += 150;
    expect(drain('q')).toEqual(['long']);
    publishTexts(broker, 'q', ['long2'], { expiration: '5000' });
    now += 1001;
    expect(drain('q')).toEqual([]);
  });

  it('TTL 0 delivers to a waiting consumer and expires otherwise', async () => {
    broker = new Broker();
    broker.declareQueue('/', 'now', { arguments: { 'x-message-ttl': 0 } });
    publishTexts(broker, 'now', ['nobody-waits']);
    expect(broker.getQueue('/', 'now').ready).toBe(0);
    const c = collector();
    openConnection(broker).openChannel(1).consume('now', {}, c.deliver);
    await settle();
    publishTexts(broker, 'now', ['taken']);
    expect(c.texts()).toEqual(['taken']);
  });

  it('a requeued message keeps its original expiry', () => {
    let now = 0;
    broker = new Broker({ now: () => now });
    broker.declareQueue('/', 'q', { arguments: { 'x-message-ttl': 100 } });
    publishTexts(broker, 'q', ['m']);
    const channel = openConnection(broker).openChannel(1);
    const d = channel.get('q', false)!;
    now = 150;
    channel.nack(d.deliveryTag, false, true);
    expect(drain('q')).toEqual([]);
  });
});

describe('length limits', () => {
  it('drop-head (default) keeps the newest x-max-length messages', () => {
    broker = new Broker();
    broker.declareQueue('/', 'q', { arguments: { 'x-max-length': 2 } });
    publishTexts(broker, 'q', ['1', '2', '3', '4']);
    expect(drain('q')).toEqual(['3', '4']);
  });

  it('x-max-length-bytes counts body bytes', () => {
    broker = new Broker();
    broker.declareQueue('/', 'q', { arguments: { 'x-max-length-bytes': 10 } });
    publishTexts(broker, 'q', ['aaaa', 'bbbb', 'cccc']);
    expect(drain('q')).toEqual(['bbbb', 'cccc']);
  });

  it('reject-publish refuses new messages: the confirm is a nack', () => {
    broker = new Broker();
    broker.declareQueue('/', 'q', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    expect(broker.publish('/', '', 'q', {}, Buffer.from('1')).confirm).toBe('ack');
    const refused = broker.publish('/', '', 'q', {}, Buffer.from('2'), { mandatory: true });
    expect(refused).toEqual({ routed: 1, unroutable: false, confirm: 'nack' });
    expect(drain('q')).toEqual(['1']);
  });
});

describe('priorities', () => {
  it('x-max-priority delivers higher priorities first, FIFO within one, capped at the max', () => {
    broker = new Broker();
    broker.declareQueue('/', 'p', { arguments: { 'x-max-priority': 5 } });
    publishTexts(broker, 'p', ['low-1'], { priority: 1 });
    publishTexts(broker, 'p', ['none']);
    publishTexts(broker, 'p', ['high-1'], { priority: 5 });
    publishTexts(broker, 'p', ['huge'], { priority: 200 });
    publishTexts(broker, 'p', ['low-2'], { priority: 1 });
    expect(broker.browseQueue('/', 'p', { limit: 10 }).map((m) => m.body.toString())).toEqual(['high-1', 'huge', 'low-1', 'low-2', 'none']);
    expect(drain('p')).toEqual(['high-1', 'huge', 'low-1', 'low-2', 'none']);
  });
});
