import { describe, expect, it } from 'vitest';
import { QueueHistory } from './queue-history';

const counters = (published: number, delivered = 0, acked = 0) => ({
  published,
  delivered,
  acked,
  redelivered: 0,
  rejected: 0,
  deadLettered: 0,
  expired: 0,
  dropped: 0,
});

describe('QueueHistory', () => {
  it('keeps a point every 5 s with the rates over those seconds', () => {
    const h = new QueueHistory();
    // One sample a second: 10 messages a second in, 4 delivered and acked, the rest piling up.
    for (let s = 0; s <= 20; s++) h.note(s * 1000, { ready: 6 * s, unacked: 0, counters: counters(10 * s, 4 * s, 4 * s) });
    const points = h.points(0);
    expect(points.map((p) => p.at)).toEqual([5000, 10_000, 15_000, 20_000]);
    expect(points[0]).toMatchObject({ ready: 30, incoming: 10, deliver: 4, ack: 4 });
    expect(points[3]).toMatchObject({ ready: 120, incoming: 10 });
  });

  it('holds one run for a queue that does not change, however long, and starts it at `since`', () => {
    const h = new QueueHistory();
    for (let s = 0; s <= 900; s++) h.note(s * 1000, { ready: 7, unacked: 0, counters: counters(3) });
    expect(h.points(0)).toEqual([
      { at: 5000, ready: 7, unacked: 0, incoming: 0, deliver: 0, ack: 0 },
      { at: 900_000, ready: 7, unacked: 0, incoming: 0, deliver: 0, ack: 0 },
    ]);
    expect(h.points(600_000).map((p) => p.at)).toEqual([600_000, 900_000]);
  });

  it('forgets points older than 15 minutes of changes', () => {
    const h = new QueueHistory();
    for (let s = 0; s <= 1800; s++) h.note(s * 1000, { ready: s, unacked: 0, counters: counters(s) });
    const points = h.points(0);
    expect(points).toHaveLength(180);
    expect(points[0]!.at).toBe(905_000);
    expect(points.at(-1)!.at).toBe(1_800_000);
  });
});
