// The "needs attention" rules and their ranking, on hand-made figures: each
// rule fires on the trouble it names and stays quiet otherwise.
import { describe, expect, it } from 'vitest';
import { alarmRaised } from './alarms';
import { deadLettersArriving } from './dead-letters';
import { duration } from './figures';
import { FULL_SOON_MS, growingQueue, timeToFull } from './growing';
import { backlogWithoutConsumer } from './no-consumer';
import type { QueueView } from './queue-view';
import { rank } from './rank';
import { consumersSaturated } from './saturated';
import { streamGroupBehind } from './stream-behind';

function queue(over: Partial<QueueView> = {}): QueueView {
  return {
    vhost: '/',
    name: 'orders',
    durable: true,
    ready: 0,
    unacked: 0,
    readyBytes: 0,
    consumers: 0,
    paused: false,
    growthPerSecond: 0,
    incomingPerSecond: 0,
    ackPerSecond: 0,
    maxLength: null,
    maxLengthBytes: null,
    deadLetterQueue: false,
    activeConsumers: [],
    ...over,
  };
}

describe('growing queues', () => {
  it('say how fast and, with x-max-length, when the queue is full at that rate', () => {
    const q = queue({ ready: 1_000, readyBytes: 100_000, growthPerSecond: 40, incomingPerSecond: 50, ackPerSecond: 10, maxLength: 100_000 });
    const f = growingQueue(q, null)!;
    expect(f.summary).toBe('Growing 40 msg/s (in 50 msg/s, acked 10 msg/s), full in 41 min 15 s (its x-max-length)');
    expect(f.severity).toBe('warning');
    expect(f.target).toEqual({ kind: 'queue', vhost: '/', name: 'orders' });
  });

  it('take the nearest limit: bytes, or the disk limit for a durable queue', () => {
    // 100 bytes a message, 10 msg/s: 1,000 bytes/s.
    const q = queue({ ready: 100, readyBytes: 10_000, growthPerSecond: 10, maxLength: 1_000_000, maxLengthBytes: 70_000 });
    expect(timeToFull(q, 10, null)).toEqual({ limit: 'x-max-length-bytes', ms: 60_000 });
    expect(timeToFull(q, 10, 30_000)).toEqual({ limit: 'disk', ms: 30_000 });
    expect(timeToFull({ ...q, durable: false }, 10, 30_000)).toEqual({ limit: 'x-max-length-bytes', ms: 60_000 });
    expect(timeToFull(queue({ ready: 5 }), 10, null)).toBeNull();
  });

  it('are critical when full within 15 minutes, sooner first', () => {
    expect(FULL_SOON_MS).toBe(15 * 60_000);
    const soon = growingQueue(queue({ name: 'soon', ready: 900, growthPerSecond: 1, maxLength: 1_000 }), null)!;
    const later = growingQueue(queue({ name: 'later', ready: 100, growthPerSecond: 1, maxLength: 1_000 }), null)!;
    expect(soon.severity).toBe('critical');
    expect(later.severity).toBe('critical');
    expect(rank([later, soon]).map((r) => r.target)).toEqual([soon.target, later.target]);
    expect(growingQueue(queue({ ready: 1_000, growthPerSecond: 1, maxLength: 1_000 }), null)!.summary).toContain('at its x-max-length now');
  });

  it('leave steady, shrinking, unsampled queues and dead-letter queues alone', () => {
    expect(growingQueue(queue({ ready: 10, growthPerSecond: 0.2 }), null)).toBeNull();
    expect(growingQueue(queue({ ready: 10, growthPerSecond: -5 }), null)).toBeNull();
    expect(growingQueue(queue({ ready: 10, growthPerSecond: null }), null)).toBeNull();
    expect(growingQueue(queue({ ready: 10, growthPerSecond: 5, deadLetterQueue: true }), null)).toBeNull();
  });
});

describe('the other queue rules', () => {
  it('a backlog without consumer, unless it is a dead-letter queue', () => {
    expect(backlogWithoutConsumer(queue({ ready: 12 }))?.summary).toBe('12 ready, no consumer');
    expect(backlogWithoutConsumer(queue({ ready: 12, paused: true }))?.summary).toBe('12 ready, no consumer (delivery paused)');
    expect(backlogWithoutConsumer(queue({ ready: 12, consumers: 1 }))).toBeNull();
    expect(backlogWithoutConsumer(queue({ ready: 12, deadLetterQueue: true }))).toBeNull();
    expect(backlogWithoutConsumer(queue({ ready: 0 }))).toBeNull();
  });

  it('consumers saturated when every active one is at its prefetch and messages wait', () => {
    const full = [
      { prefetch: 10, unacked: 10 },
      { prefetch: 5, unacked: 5 },
    ];
    expect(consumersSaturated(queue({ ready: 30, consumers: 2, activeConsumers: full }))?.summary).toBe(
      'Consumers saturated: all 2 consumers are at prefetch (15 / 15 unacked), 30 ready waiting',
    );
    expect(consumersSaturated(queue({ ready: 30, consumers: 2, activeConsumers: [full[0]!, { prefetch: 5, unacked: 4 }] }))).toBeNull();
    expect(consumersSaturated(queue({ ready: 30, consumers: 1, activeConsumers: [{ prefetch: 0, unacked: 500 }] }))).toBeNull();
    expect(consumersSaturated(queue({ ready: 0, consumers: 2, activeConsumers: full }))).toBeNull();
    expect(consumersSaturated(queue({ ready: 30, consumers: 2, paused: true, activeConsumers: full }))).toBeNull();
  });

  it('dead letters arriving in a dead-letter queue', () => {
    expect(deadLettersArriving(queue({ name: 'orders.dlq', deadLetterQueue: true, ready: 7, growthPerSecond: 2 }))?.summary).toBe(
      'Dead letters arriving 2 msg/s, 7 held',
    );
    expect(deadLettersArriving(queue({ deadLetterQueue: true, ready: 7, growthPerSecond: 0 }))).toBeNull();
    expect(deadLettersArriving(queue({ deadLetterQueue: false, ready: 7, growthPerSecond: 2 }))).toBeNull();
  });
});

describe('stream groups', () => {
  const group = { vhost: '/', stream: 'events', group: 'billing', consumers: 1, lagMessages: 500, lagMs: 20_000, lagMessagesBefore: 200 };

  it('fall behind when their lag grows, is long, or nothing consumes for them', () => {
    expect(streamGroupBehind(group)?.summary).toBe('Group billing is 500 messages (20 s) behind, lag up by 300 in the last minute');
    expect(streamGroupBehind({ ...group, lagMessagesBefore: 500 })).toBeNull();
    expect(streamGroupBehind({ ...group, lagMessagesBefore: 500, lagMs: 90_000 })?.summary).toContain('(1 min 30 s) behind, lag steady');
    expect(streamGroupBehind({ ...group, lagMessagesBefore: 600, consumers: 0 })?.summary).toContain('no consumer');
    expect(streamGroupBehind({ ...group, lagMessages: 0, lagMs: 0 })).toBeNull();
  });
});

describe('ranking', () => {
  it('puts alarms first, then what gets worse, then what is stuck, one row per object', () => {
    const backlog = backlogWithoutConsumer(queue({ name: 'stuck', ready: 100_000 }))!;
    const growing = growingQueue(queue({ name: 'orders', ready: 50, growthPerSecond: 3 }), null)!;
    const saturated = consumersSaturated(queue({ name: 'orders', ready: 50, consumers: 1, activeConsumers: [{ prefetch: 1, unacked: 1 }] }))!;
    const dlq = deadLettersArriving(queue({ name: 'orders.dlq', deadLetterQueue: true, ready: 3, growthPerSecond: 50 }))!;
    const alarm = alarmRaised({ source: 'disk', reason: 'free 10 MiB below limit 50 MiB' });
    const rows = rank([backlog, saturated, dlq, growing, alarm]);
    expect(rows.map((r) => (r.target.kind === 'broker' ? r.target.source : r.target.name))).toEqual(['disk', 'orders', 'orders.dlq', 'stuck']);
    expect(rows[0]!.summary).toBe('disk alarm: free 10 MiB below limit 50 MiB; publishers are blocked');
    expect(rows[1]).toMatchObject({ kind: 'growing', alsoSummaries: [saturated.summary] });
  });

  it('writes durations in their two largest units', () => {
    expect(duration(0)).toBe('0 s');
    expect(duration(59_400)).toBe('59 s');
    expect(duration(3_725_000)).toBe('1 h 2 min');
    expect(duration(90_000_000)).toBe('1 d 1 h');
  });
});
