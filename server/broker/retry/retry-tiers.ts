// The retry tiers of one work queue (`x-retry-tiers`). A message that fails
// (rejected without requeue, or past x-delivery-limit) waits in the next
// tier's holding area and then returns to the tail of the queue with:
//   x-retry-attempt     1, 2, … (the tier it went through)
//   x-retry-tier        that tier's delay as declared, e.g. "30s"
//   x-first-failure-at  epoch ms of its first failure in this chain
//   x-last-failure-at   epoch ms of this failure
//   x-retry-due-at      epoch ms when it is (was) due back
// Once every tier is used, the queue dead-letters it as usual (reason
// rejected or delivery_limit), to its dead-letter exchange or `<queue>.dlq`.

import { integerOf } from '../field-values';
import { Message } from '../message';
import type { Queue, QueueHost } from '../queue/queue';
import type { FieldTable } from '../types';
import { HoldingArea, holdingAreaName } from './holding-area';
import type { TierDelay } from './tier-delays';

/** The headers a retry adds (dropped when a dead letter is requeued with its attempts reset). */
export const RETRY_HEADERS = ['x-retry-attempt', 'x-retry-tier', 'x-first-failure-at', 'x-last-failure-at', 'x-retry-due-at'] as const;

export class RetryTiers {
  readonly areas: readonly HoldingArea[];

  constructor(
    private readonly host: QueueHost,
    private readonly queue: Queue,
    delays: readonly TierDelay[],
    /** Areas of the tiers these replace, by name: one with the same name is kept, with its messages. */
    previous: ReadonlyMap<string, HoldingArea> = new Map(),
  ) {
    this.areas = delays.map((delay, index) => previous.get(holdingAreaName(queue.name, index, delay)) ?? new HoldingArea(host, queue, index, delay));
    for (const area of this.areas) host.holdingAreas.set(area.name, area);
  }

  /** Puts a failed message in its next tier; false when no tier is left (the caller dead-letters it). */
  fail(message: Message): boolean {
    const headers = message.properties.headers ?? {};
    // A publisher may set the header: a negative count is as meaningless as a non-integer one.
    const previous = Math.max(0, integerOf(headers['x-retry-attempt']) ?? 0);
    const attempt = previous + 1;
    const area = this.areas[previous];
    if (area === undefined) return false;
    const now = this.host.now();
    const dueAt = now + area.delay.ms;
    // Object.assign then plain stores: the fast way for V8 (see dead-letter.ts).
    const retryHeaders: FieldTable = Object.assign({}, headers);
    // x-delivery-count belongs to the delivery that failed; the next one starts afresh.
    if (retryHeaders['x-delivery-count'] !== undefined) delete retryHeaders['x-delivery-count'];
    retryHeaders['x-retry-attempt'] = attempt;
    retryHeaders['x-retry-tier'] = area.delay.label;
    retryHeaders['x-first-failure-at'] = integerOf(headers['x-first-failure-at']) ?? now;
    retryHeaders['x-last-failure-at'] = now;
    retryHeaders['x-retry-due-at'] = dueAt;
    const held = new Message(this.host.nextMessageId(), message.exchange, message.routingKey, { ...message.properties, headers: retryHeaders }, message.body);
    if (message.traced) {
      this.host.journeys.derived('retry-scheduled', this.queue, message, held, { tier: area.delay.label, attempt, dueAt, holdingArea: area.name });
    }
    area.hold(held, dueAt);
    return true;
  }

  /** The work queue was deleted. */
  destroy(): void {
    for (const area of this.areas) area.destroy();
  }
}

/** Whether two tier lists are the same delays in the same order. */
export function sameTiers(a: readonly TierDelay[] | null, b: readonly TierDelay[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((tier, i) => tier.label === b[i]!.label && tier.ms === b[i]!.ms);
}

/**
 * A queue's tiers after a policy changed them: a tier whose position and
 * delay are unchanged keeps its held messages; a tier that is gone returns
 * its messages to the queue at once rather than keep them past their use.
 */
export function retiered(host: QueueHost, queue: Queue, current: RetryTiers | null, delays: readonly TierDelay[] | null): RetryTiers | null {
  const previous = new Map((current?.areas ?? []).map((area) => [area.name, area]));
  const next = delays === null ? null : new RetryTiers(host, queue, delays, previous);
  for (const area of previous.values()) if (next === null || !next.areas.includes(area)) area.retire();
  return next;
}
