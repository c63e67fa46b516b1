// The scheduled messages of one exchange: published with a delay (`x-delay`
// on an x-delayed-message exchange, or `x-deliver-at` on any), held here
// until due, then routed through the exchange as if published then.
//
// Format: the messages by seq in a Map (cancel, deliver now and reschedule
// find them there), and a min-heap of (due time, seq) (due-heap.ts: 16 bytes
// a message, no object), so a held message costs one small record beside
// the Message itself. A cancelled or rescheduled message leaves
// its old heap entry behind; it is skipped when it reaches the top (its seq
// is gone, or holds another due time). Like a retry tier's holding area
// (retry/holding-area.ts), the area keeps at most one wake-up in the
// engine's Scheduler, at the earliest due time, whatever it holds.
//
// Durability: held persistent messages of a durable exchange are journalled
// under the area's reserved name `amq.delayed.<exchange>` (no client can
// declare an `amq.` name) with the due time as the stored deadline, and come
// back with it (Broker.restoreQueueMessages). A due message is enqueued into
// its queues before the journal hears it left the area: a crash in between
// duplicates, never loses.
//
// States: live → destroyed (its exchange was deleted: the messages go with it).

import type { Exchange } from '../exchange/exchange';
import type { Message } from '../message';
import type { Scheduler, WakeUp } from '../scheduler';
import type { Store } from '../store';
import { DueHeap } from './due-heap';

export interface ScheduledEntry {
  readonly seq: number;
  readonly message: Message;
  dueAt: number;
  readonly heldAt: number;
}

/** What an area needs from the engine. */
export interface ScheduleHost {
  readonly store: Store;
  readonly scheduler: Scheduler;
  now(): number;
  /** Routes a due message through the area's exchange into its queues; returns how many took it. */
  route(exchange: Exchange, message: Message): number;
  /** Whether the exchange is still the vhost's exchange of that name. */
  current(exchange: Exchange): boolean;
}

export class ScheduledMessages {
  readonly name: string;
  private readonly entries = new Map<number, ScheduledEntry>();
  private readonly heap = new DueHeap();
  private nextSeq = 1;
  private wake: WakeUp | null = null;
  private destroyed = false;
  private readonly persists: boolean;
  /** Scheduler wake-ups this area ran. */
  wakeUps = 0;
  /** Messages it routed when due (or delivered now). */
  released = 0;

  constructor(
    private readonly host: ScheduleHost,
    readonly exchange: Exchange,
  ) {
    this.name = scheduledAreaName(exchange.name);
    this.persists = exchange.settings.durable && host.store.persistsMessages;
  }

  get count(): number {
    return this.entries.size;
  }

  get nextDueAt(): number | null {
    this.dropStaleTop();
    return this.heap.size > 0 ? this.heap.topDue : null;
  }

  /** Holds `message` until `dueAt`; true when it went to the store (the publisher confirm then waits for its flush). */
  hold(message: Message, dueAt: number): boolean {
    if (this.destroyed) return false;
    const seq = this.nextSeq++;
    const stored = this.persists && message.persistent;
    if (stored) this.host.store.messageEnqueued(this.exchange.vhost, this.name, seq, message, dueAt);
    this.add({ seq, message, dueAt, heldAt: this.host.now() });
    return stored;
  }

  /** Recovery: a journalled message comes back at its seq with its stored due time (now when none). */
  restore(message: Message, seq: number, dueAt: number): void {
    if (this.destroyed) return;
    this.add({ seq, message, dueAt: dueAt > 0 ? dueAt : this.host.now(), heldAt: this.host.now() });
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
  }

  get(seq: number): ScheduledEntry | undefined {
    return this.entries.get(seq);
  }

  /** Every held message, in seq (arrival) order; do not change them. */
  values(): IterableIterator<ScheduledEntry> {
    return this.entries.values();
  }

  /** The first `count` held messages in due order, without changing the area (a copy of the heap is popped). */
  earliest(count: number): ScheduledEntry[] {
    const heap = this.heap.clone();
    const out: ScheduledEntry[] = [];
    while (heap.size > 0 && out.length < count) {
      if (this.isCurrent(heap)) out.push(this.entries.get(heap.topSeq) as ScheduledEntry);
      heap.pop();
    }
    return out;
  }

  /** Drops the messages with these seqs; returns how many were held. */
  cancel(seqs: Iterable<number>): number {
    let cancelled = 0;
    for (const seq of seqs) {
      const entry = this.entries.get(seq);
      if (entry === undefined) continue;
      this.entries.delete(seq);
      this.forget(entry);
      cancelled++;
    }
    return cancelled;
  }

  /** Routes these messages now; returns how many were held. */
  deliverNow(seqs: Iterable<number>): number {
    let delivered = 0;
    for (const seq of seqs) {
      const entry = this.entries.get(seq);
      if (entry === undefined) continue;
      this.release(entry);
      delivered++;
    }
    return delivered;
  }

  /**
   * Moves a message to a new due time; it is stored again under a new seq
   * (returned), written before the old record is removed. Undefined when not held.
   */
  reschedule(seq: number, dueAt: number): number | undefined {
    const entry = this.entries.get(seq);
    if (entry === undefined || this.destroyed) return undefined;
    const newSeq = this.nextSeq++;
    if (this.persists && entry.message.persistent) this.host.store.messageEnqueued(this.exchange.vhost, this.name, newSeq, entry.message, dueAt);
    this.entries.delete(seq);
    this.forget(entry);
    this.add({ seq: newSeq, message: entry.message, dueAt, heldAt: entry.heldAt });
    return newSeq;
  }

  /** Routes every due message, earliest first. Called by the scheduler. */
  releaseDue(): void {
    if (!this.host.current(this.exchange)) return this.destroy();
    const now = this.host.now();
    for (;;) {
      this.dropStaleTop();
      if (this.heap.size === 0 || this.heap.topDue > now) break;
      const entry = this.entries.get(this.heap.topSeq) as ScheduledEntry;
      this.release(entry);
    }
    this.arm();
  }

  /** Its exchange is gone: the messages go with it. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.wake) this.wake.cancelled = true;
    for (const entry of this.entries.values()) this.forget(entry);
    this.entries.clear();
    this.heap.clear();
  }

  private release(entry: ScheduledEntry): void {
    if (!this.host.current(this.exchange)) return this.destroy();
    this.host.route(this.exchange, entry.message);
    this.entries.delete(entry.seq);
    this.forget(entry);
    this.released++;
  }

  private forget(entry: ScheduledEntry): void {
    if (this.persists && entry.message.persistent) this.host.store.messageRemoved(this.exchange.vhost, this.name, entry.seq);
  }

  private add(entry: ScheduledEntry): void {
    this.entries.set(entry.seq, entry);
    this.heap.push(entry.dueAt, entry.seq);
    this.arm();
  }

  /** Keeps one wake-up at the earliest due time. */
  private arm(): void {
    if (this.destroyed) return;
    const at = this.nextDueAt;
    if (at === null) return;
    const pending = this.wake;
    if (pending && !pending.cancelled && pending.at <= at) return;
    if (pending) pending.cancelled = true;
    this.wake = this.host.scheduler.schedule(at, () => {
      this.wake = null;
      this.wakeUps++;
      this.releaseDue();
    });
  }

  /** Pops heap entries whose message was cancelled, delivered or rescheduled since. */
  private dropStaleTop(): void {
    while (this.heap.size > 0 && !this.isCurrent(this.heap)) this.heap.pop();
  }

  /** Whether the top of `heap` is a held message at its present due time. */
  private isCurrent(heap: DueHeap): boolean {
    const entry = this.entries.get(heap.topSeq);
    return entry !== undefined && entry.dueAt === heap.topDue;
  }
}

/** The reserved name an exchange's scheduled messages are journalled under. */
export function scheduledAreaName(exchange: string): string {
  return `amq.delayed.${exchange}`;
}

/** The exchange a scheduled area's name belongs to, or null. */
export function exchangeOfScheduledArea(name: string): string | null {
  const prefix = 'amq.delayed.';
  return name.startsWith(prefix) ? name.slice(prefix.length) : null;
}
