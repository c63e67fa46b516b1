// A ring-buffer deque of queue entries, stored column-wise so a queued
// message costs no object of its own: slot i holds messages[i], seqs[i],
// expiries[i] and deliveryCounts[i]. Entries are kept sorted by seq (a
// queue-wide increasing number): enqueue appends, requeue inserts back at the
// original position. Capacity is a power of two: it doubles when full and halves when a
// large ring is less than a quarter full.
//
// Layout: `head` is the physical index of the first entry, `length` entries
// follow it modulo capacity; logical index i lives at (head + i) & mask.
// The expiry and delivery-count columns are only allocated once a non-zero
// value is written (most queues have no TTL and few redeliveries).
//
// Every physical index is masked to the capacity, so column reads use `!`
// rather than a check: this runs per message.

import type { Message } from '../message';

const INITIAL_CAPACITY = 16;
const SHRINK_ABOVE = 1024;

export class EntryRing {
  private messages: (Message | undefined)[];
  private seqs: Float64Array;
  /** Epoch ms, 0 = never; null while every entry is 0. */
  private expiries: Float64Array | null = null;
  /** Null while every entry is 0. */
  private deliveryCounts: Uint32Array | null = null;
  private mask: number;
  private head = 0;
  length = 0;
  /** Sum of body sizes of the entries. */
  bytes = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.messages = new Array(capacity).fill(undefined);
    this.seqs = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  pushBack(message: Message, seq: number, expiresAt: number, deliveryCount: number): void {
    if (this.length > this.mask) this.grow();
    this.write((this.head + this.length) & this.mask, message, seq, expiresAt, deliveryCount);
    this.length++;
  }

  /**
   * Puts an entry back in seq order. Requeued entries are usually near the
   * front, so elements before the insertion point are shifted one slot toward
   * the front (cost: distance from the head).
   */
  insertSorted(message: Message, seq: number, expiresAt: number, deliveryCount: number): void {
    if (this.length === 0 || seq > this.seqAt(this.length - 1)) {
      this.pushBack(message, seq, expiresAt, deliveryCount);
      return;
    }
    if (this.length > this.mask) this.grow();
    const position = this.lowerBound(seq);
    const mask = this.mask;
    this.head = (this.head - 1) & mask;
    this.length++;
    for (let i = 0; i < position; i++) {
      const to = (this.head + i) & mask;
      const from = (to + 1) & mask;
      this.messages[to] = this.messages[from];
      this.seqs[to] = this.seqs[from]!;
      if (this.expiries) this.expiries[to] = this.expiries[from]!;
      if (this.deliveryCounts) this.deliveryCounts[to] = this.deliveryCounts[from]!;
    }
    this.write((this.head + position) & mask, message, seq, expiresAt, deliveryCount);
  }

  /** Removes the first entry; read its fields with the *At(0) accessors before. */
  shift(): void {
    const slot = this.head;
    this.bytes -= (this.messages[slot] as Message).bodySize;
    this.messages[slot] = undefined;
    this.head = (slot + 1) & this.mask;
    this.length--;
    // Give memory back once a large backlog has drained.
    if (this.mask >= SHRINK_ABOVE && this.length < (this.mask + 1) >>> 2) this.resize((this.mask + 1) >>> 1);
  }

  messageAt(index: number): Message {
    return this.messages[(this.head + index) & this.mask] as Message;
  }

  seqAt(index: number): number {
    return this.seqs[(this.head + index) & this.mask]!;
  }

  expiresAt(index: number): number {
    return this.expiries === null ? 0 : this.expiries[(this.head + index) & this.mask]!;
  }

  deliveryCountAt(index: number): number {
    return this.deliveryCounts === null ? 0 : this.deliveryCounts[(this.head + index) & this.mask]!;
  }

  /**
   * Removes, in one pass, the entries `pick` selects (called in order) and
   * hands each to `removed`; the others keep their order. Returns how many went.
   */
  removeWhere(
    pick: (message: Message, seq: number) => boolean,
    removed: (message: Message, seq: number, expiresAt: number, deliveryCount: number) => void,
  ): number {
    const mask = this.mask;
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & mask;
      const message = this.messages[from] as Message;
      const seq = this.seqs[from]!;
      const expiresAt = this.expiries === null ? 0 : this.expiries[from]!;
      const deliveryCount = this.deliveryCounts === null ? 0 : this.deliveryCounts[from]!;
      if (pick(message, seq)) {
        this.bytes -= message.bodySize;
        removed(message, seq, expiresAt, deliveryCount);
        continue;
      }
      const to = (this.head + kept) & mask;
      if (to !== from) {
        this.messages[to] = message;
        this.seqs[to] = seq;
        if (this.expiries) this.expiries[to] = expiresAt;
        if (this.deliveryCounts) this.deliveryCounts[to] = deliveryCount;
      }
      kept++;
    }
    const count = this.length - kept;
    for (let i = kept; i < this.length; i++) this.messages[(this.head + i) & mask] = undefined;
    this.length = kept;
    return count;
  }

  /** Drops every entry, calling `each` on them in order first when given. */
  clear(each?: (message: Message, seq: number) => void): void {
    if (each) for (let i = 0; i < this.length; i++) each(this.messageAt(i), this.seqAt(i));
    const capacity = Math.min(this.mask + 1, INITIAL_CAPACITY);
    this.messages = new Array(capacity).fill(undefined);
    this.seqs = new Float64Array(capacity);
    this.expiries = null;
    this.deliveryCounts = null;
    this.mask = capacity - 1;
    this.head = 0;
    this.length = 0;
    this.bytes = 0;
  }

  private write(slot: number, message: Message, seq: number, expiresAt: number, deliveryCount: number): void {
    this.messages[slot] = message;
    this.seqs[slot] = seq;
    if (expiresAt !== 0 || this.expiries !== null) (this.expiries ??= new Float64Array(this.mask + 1))[slot] = expiresAt;
    if (deliveryCount !== 0 || this.deliveryCounts !== null) {
      (this.deliveryCounts ??= new Uint32Array(this.mask + 1))[slot] = deliveryCount;
    }
    this.bytes += message.bodySize;
  }

  /** First logical index whose seq is >= seq. */
  private lowerBound(seq: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.seqAt(mid) < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private grow(): void {
    this.resize((this.mask + 1) * 2);
  }

  private resize(capacity: number): void {
    const messages: (Message | undefined)[] = new Array(capacity).fill(undefined);
    const seqs = new Float64Array(capacity);
    const expiries = this.expiries ? new Float64Array(capacity) : null;
    const counts = this.deliveryCounts ? new Uint32Array(capacity) : null;
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & this.mask;
      messages[i] = this.messages[from];
      seqs[i] = this.seqs[from]!;
      if (expiries) expiries[i] = (this.expiries as Float64Array)[from]!;
      if (counts) counts[i] = (this.deliveryCounts as Uint32Array)[from]!;
    }
    this.messages = messages;
    this.seqs = seqs;
    this.expiries = expiries;
    this.deliveryCounts = counts;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
