// The ready messages of a queue, in delivery order. A plain queue uses one
// EntryRing; a queue with x-max-priority uses one ring per priority level and
// delivers from the highest non-empty level (FIFO within a level).

import type { Message } from '../message';
import { EntryRing } from './entry-ring';

export interface ReadyList {
  readonly length: number;
  /** Sum of body sizes. */
  readonly bytes: number;
  pushBack(message: Message, seq: number, expiresAt: number, deliveryCount: number): void;
  /** Back to its original position (by seq). */
  insertSorted(message: Message, seq: number, expiresAt: number, deliveryCount: number): void;
  /** Logical index 0 is the next message to deliver. */
  messageAt(index: number): Message;
  seqAt(index: number): number;
  expiresAt(index: number): number;
  deliveryCountAt(index: number): number;
  shift(): void;
  /** Removes the entries `pick` selects, handing each to `removed`; returns how many. */
  removeWhere(
    pick: (message: Message, seq: number) => boolean,
    removed: (message: Message, seq: number, expiresAt: number, deliveryCount: number) => void,
  ): number;
  clear(each?: (message: Message, seq: number) => void): void;
}

export function createReadyList(maxPriority: number | null): ReadyList {
  return maxPriority === null ? new EntryRing() : new PriorityReadyList(maxPriority);
}

class PriorityReadyList implements ReadyList {
  /** levels[p] holds messages of priority p, for every p in 0..maxPriority (so those reads use `!`). */
  private readonly levels: EntryRing[] = [];
  /** Index within the ring last returned by locate() (avoids allocating a pair per call). */
  private offset = 0;

  constructor(private readonly maxPriority: number) {
    for (let p = 0; p <= maxPriority; p++) this.levels.push(new EntryRing(4));
  }

  length = 0;

  get bytes(): number {
    let total = 0;
    for (const level of this.levels) total += level.bytes;
    return total;
  }

  pushBack(message: Message, seq: number, expiresAt: number, deliveryCount: number): void {
    this.levelOf(message).pushBack(message, seq, expiresAt, deliveryCount);
    this.length++;
  }

  insertSorted(message: Message, seq: number, expiresAt: number, deliveryCount: number): void {
    this.levelOf(message).insertSorted(message, seq, expiresAt, deliveryCount);
    this.length++;
  }

  messageAt(index: number): Message {
    return this.locate(index).messageAt(this.offset);
  }

  seqAt(index: number): number {
    return this.locate(index).seqAt(this.offset);
  }

  expiresAt(index: number): number {
    return this.locate(index).expiresAt(this.offset);
  }

  deliveryCountAt(index: number): number {
    return this.locate(index).deliveryCountAt(this.offset);
  }

  shift(): void {
    this.locate(0).shift();
    this.length--;
  }

  removeWhere(
    pick: (message: Message, seq: number) => boolean,
    removed: (message: Message, seq: number, expiresAt: number, deliveryCount: number) => void,
  ): number {
    let count = 0;
    for (let p = this.maxPriority; p >= 0; p--) count += this.levels[p]!.removeWhere(pick, removed);
    this.length -= count;
    return count;
  }

  clear(each?: (message: Message, seq: number) => void): void {
    for (let p = this.maxPriority; p >= 0; p--) this.levels[p]!.clear(each);
    this.length = 0;
  }

  private levelOf(message: Message): EntryRing {
    const priority = message.properties.priority ?? 0;
    return this.levels[Math.max(0, Math.min(priority, this.maxPriority))]!;
  }

  /** The ring holding logical position `index` (highest priority first); sets `offset` to the index within it. */
  private locate(index: number): EntryRing {
    let rest = index;
    for (let p = this.maxPriority; p >= 0; p--) {
      const level = this.levels[p]!;
      if (rest < level.length) {
        this.offset = rest;
        return level;
      }
      rest -= level.length;
    }
    throw new RangeError(`ready index ${index} out of range`);
  }
}
