// One retry tier's holding area: the failed messages of one work queue that
// wait out that tier's delay before going back to the tail of the queue.
//
// Format: an EntryRing (message, seq, due time in the expiry column) in seq
// order. Every message of a tier waits the same delay, so arrival order is
// due order and only the head needs a timer: the area keeps at most one
// wake-up in the engine's Scheduler (one min-heap and one setTimeout for the
// whole broker), whatever the number of held messages.
//
// Durability: held messages are journalled like those of a durable queue,
// under the area's reserved name (`amq.retry.<queue>.tier<n>-<delay>`, a name
// no client can declare), and carry their due time in `x-retry-due-at`, so
// Broker.restoreMessage can put them back with their due times after a restart.
//
// States: live → destroyed (its work queue was deleted; later calls do
// nothing); or live → retired (a policy removed its tier: everything it
// holds is due at once) → destroyed once empty.

import { integerOf } from '../field-values';
import type { Message } from '../message';
import { EntryRing } from '../queue/entry-ring';
import { REFUSED, type Queue, type QueueHost } from '../queue/queue';
import type { WakeUp } from '../scheduler';
import type { MessageProperties } from '../types';
import type { TierDelay } from './tier-delays';

/** How long a message waits again when its queue refuses it back (x-overflow reject-publish). */
const REFUSED_RETRY_MS = 1000;

export interface HeldMessage {
  /** 0-based position in the tier (0 is due first). */
  position: number;
  seq: number;
  attempt: number;
  heldSince: number;
  dueAt: number;
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
}

export class HoldingArea {
  /** The name its messages are journalled under. */
  readonly name: string;
  private readonly ring = new EntryRing();
  private nextSeq = 1;
  private wake: WakeUp | null = null;
  private destroyed = false;
  private retired = false;
  private readonly persists: boolean;

  constructor(
    private readonly host: QueueHost,
    /** The work queue its messages return to. */
    readonly queue: Queue,
    /** 0-based tier number. */
    readonly index: number,
    readonly delay: TierDelay,
  ) {
    this.persists = queue.settings.durable && host.store.persistsMessages;
    this.name = holdingAreaName(queue.name, index, delay);
  }

  get count(): number {
    return this.ring.length;
  }

  get bytes(): number {
    return this.ring.bytes;
  }

  /** Due time of the next message to return, or null when empty. */
  get nextDueAt(): number | null {
    return this.ring.length > 0 ? this.ring.expiresAt(0) : null;
  }

  /** Holds `message` (already carrying its retry headers) until `dueAt`. */
  hold(message: Message, dueAt: number): void {
    if (this.destroyed) return;
    const seq = this.nextSeq++;
    // No deadline for the store: the due time travels in the x-retry-due-at header.
    if (this.persists && message.persistent) this.host.store.messageEnqueued(this.queue.vhost, this.name, seq, message, 0);
    this.ring.pushBack(message, seq, dueAt, 0);
    this.arm();
  }

  /** Recovery: a journalled message comes back at its seq with the due time of its header (now when missing). */
  restore(message: Message, seq: number): void {
    if (this.destroyed) return;
    const dueAt = integerOf(message.properties.headers?.['x-retry-due-at']) ?? this.host.now();
    if (this.queue.traced) message.traced = true;
    this.ring.insertSorted(message, seq, dueAt, 0);
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    this.arm();
  }

  browse(offset: number, limit: number): HeldMessage[] {
    const ring = this.ring;
    const out: HeldMessage[] = [];
    for (let i = Math.max(0, offset); i < ring.length && out.length < limit; i++) {
      const message = ring.messageAt(i);
      const dueAt = ring.expiresAt(i);
      out.push({
        position: i,
        seq: ring.seqAt(i),
        attempt: integerOf(message.properties.headers?.['x-retry-attempt']) ?? this.index + 1,
        heldSince: dueAt - this.delay.ms,
        dueAt,
        exchange: message.exchange,
        routingKey: message.routingKey,
        properties: message.properties,
        body: message.body,
      });
    }
    return out;
  }

  /** Its tier no longer exists: everything held goes back to the queue now, and the area goes once empty. */
  retire(): void {
    this.retired = true;
    this.releaseDue();
  }

  /** Returns every due message to the tail of its queue, oldest first. Called by the scheduler. */
  releaseDue(): void {
    const ring = this.ring;
    const now = this.host.now();
    const until = this.retired ? Infinity : now;
    if (this.queue.deleted) this.destroy();
    while (!this.destroyed && ring.length > 0 && ring.expiresAt(0) <= until) {
      const message = ring.messageAt(0);
      const seq = ring.seqAt(0);
      if (message.traced) this.host.journeys.step('retry-released', this.queue, message, { tier: this.delay.label, holdingArea: this.name });
      // Enqueued in the work queue before the store hears it left the tier: a crash in between duplicates, never loses.
      if (this.queue.enqueue(message) === REFUSED) {
        this.armAt(now + REFUSED_RETRY_MS);
        return;
      }
      ring.shift();
      if (this.persists && message.persistent) this.host.store.messageRemoved(this.queue.vhost, this.name, seq);
    }
    if (this.retired && ring.length === 0) this.destroy();
    this.arm();
  }

  /** The work queue is gone (its held messages go with it), or the retired area is empty. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.wake) this.wake.cancelled = true;
    if (this.host.holdingAreas.get(this.name) === this) this.host.holdingAreas.delete(this.name);
    const { vhost } = this.queue;
    this.ring.clear((message, seq) => {
      if (this.persists && message.persistent) this.host.store.messageRemoved(vhost, this.name, seq);
    });
  }

  /** Keeps one wake-up at the head's due time. */
  private arm(): void {
    if (this.destroyed || this.ring.length === 0) return;
    this.armAt(this.ring.expiresAt(0));
  }

  private armAt(at: number): void {
    const pending = this.wake;
    if (pending && !pending.cancelled && pending.at <= at) return;
    if (pending) pending.cancelled = true;
    this.wake = this.host.scheduler.schedule(at, () => {
      this.wake = null;
      this.releaseDue();
    });
  }
}

/** The reserved name of a tier's holding area (clients cannot declare `amq.` names). */
export function holdingAreaName(queue: string, index: number, delay: TierDelay): string {
  return `amq.retry.${queue}.tier${index + 1}-${delay.label}`;
}

/** The work queue a holding area's name belongs to, or null when it is not one (recovery of a tier that is gone). */
export function workQueueOfHoldingArea(name: string): string | null {
  const prefix = 'amq.retry.';
  const tier = name.lastIndexOf('.tier');
  return name.startsWith(prefix) && tier > prefix.length ? name.slice(prefix.length, tier) : null;
}
