/**
 * One queue's recent past, for the charts of its page: a point every 5
 * seconds over the last 15 minutes (ready and unacked at that moment, and the
 * message rates over those 5 seconds), as RabbitMQ's management keeps its
 * per-queue samples. A point equal to the one before only moves that one's
 * end (`until`), so the thousands of idle queues of a large broker hold one
 * point each instead of 180.
 */
import type { QueueCounters } from '../broker/types';
import { Ring } from './ring';

export interface QueuePoint {
  ready: number;
  unacked: number;
  /** Messages per second over the point's 5 seconds. */
  incoming: number;
  deliver: number;
  ack: number;
}

export const QUEUE_HISTORY_STEP_MS = 5_000;
export const QUEUE_HISTORY_MS = 15 * 60_000;

interface Run extends QueuePoint {
  /** When the last point equal to this one was taken (its own `at` when none was). */
  until: number;
}

const same = (a: QueuePoint, b: QueuePoint) =>
  a.ready === b.ready && a.unacked === b.unacked && a.incoming === b.incoming && a.deliver === b.deliver && a.ack === b.ack;

export class QueueHistory {
  private readonly runs = new Ring<Run>(QUEUE_HISTORY_MS / QUEUE_HISTORY_STEP_MS);
  private last: { at: number; counters: QueueCounters } | undefined;

  /** Called with every sample of the queue; keeps one point per 5 seconds. */
  note(at: number, q: { ready: number; unacked: number; counters: QueueCounters }): void {
    const last = this.last;
    if (last === undefined) {
      this.last = { at, counters: q.counters };
      return;
    }
    // A little early is still this step: samples a second apart may land at 4.99 s.
    if (at - last.at < QUEUE_HISTORY_STEP_MS - 500) return;
    const seconds = (at - last.at) / 1000;
    const perSecond = (now: number, then: number) => Math.max(0, now - then) / seconds;
    const point: QueuePoint = {
      ready: q.ready,
      unacked: q.unacked,
      incoming: perSecond(q.counters.published, last.counters.published),
      deliver: perSecond(q.counters.delivered, last.counters.delivered),
      ack: perSecond(q.counters.acked, last.counters.acked),
    };
    this.last = { at, counters: q.counters };
    const latest = this.runs.latest();
    if (latest && same(latest.value, point)) latest.value.until = at;
    else this.runs.push({ at, value: { ...point, until: at } });
  }

  /** Points at or after `since`, oldest first: a run of equal points as its first and its last. */
  points(since: number): ({ at: number } & QueuePoint)[] {
    const out: ({ at: number } & QueuePoint)[] = [];
    for (const { at, value } of this.runs.toArray()) {
      const { until, ...point } = value;
      if (until < since) continue;
      out.push({ at: Math.max(at, since), ...point });
      if (until > Math.max(at, since)) out.push({ at: until, ...point });
    }
    return out;
  }
}
