// What the journal knows in memory: the live messages of every queue, the
// message bodies they share, and per segment how many of its records are
// still live. Replay builds it from the files; the running journal keeps it
// current with every record it appends.
//
// A segment's live records are its ENQUEUE (or MOVE) records whose queue
// entry still exists, and its MESSAGE records whose message is still held by
// at least one queue entry. A segment with none left can be deleted (oldest
// first); the live bytes tell compaction how much dead data there is.
//
// A MessageEntry lives from its MESSAGE record (or, during replay, from the
// first ENQUEUE naming it) until its last queue entry goes; `refs` counts
// those entries. During replay `message` may still be missing when an
// ENQUEUE precedes its MESSAGE record; `finishReplay` settles that at the end.

import type { Message } from '../../broker/message';
import { ENQUEUE_RECORD_BYTES } from './format';

export interface SegmentInfo {
  readonly no: number;
  /** Size on disk, including bytes still buffered for it. */
  bytes: number;
  liveRecords: number;
  liveBytes: number;
  /**
   * Journal position (SegmentWriter.appendedBytes) when the segment was first
   * seen with no live record: it may be deleted once that much is synced, so
   * that the records which killed it cannot be lost while it is gone.
   */
  deadAt?: number;
}

export interface MessageEntry {
  readonly id: number;
  message: Message | undefined;
  /** Segment holding its MESSAGE record; undefined until that record is seen. */
  segment: SegmentInfo | undefined;
  recordBytes: number;
  refs: number;
}

export interface QueueEntry {
  readonly entry: MessageEntry;
  /** Segment holding the ENQUEUE (or MOVE) record that put it there. */
  segment: SegmentInfo;
}

export interface QueueState {
  readonly vhost: string;
  readonly name: string;
  /** Number standing for the queue in records of the running journal. */
  readonly ref: number;
  /** The last segment given this queue's QUEUE_NAME record. */
  namedIn: SegmentInfo | undefined;
  /** Live messages by seq. */
  readonly messages: Map<number, QueueEntry>;
}

export class LiveIndex {
  /** Oldest first; the last one is the segment being written. */
  readonly segments: SegmentInfo[] = [];
  readonly messages = new Map<number, MessageEntry>();
  private readonly queuesByVhost = new Map<string, Map<string, QueueState>>();
  private nextRef = 1;
  liveBytes = 0;
  diskBytes = 0;

  addSegment(no: number, bytes: number): SegmentInfo {
    const segment: SegmentInfo = { no, bytes, liveRecords: 0, liveBytes: 0 };
    this.segments.push(segment);
    this.diskBytes += bytes;
    return segment;
  }

  grow(segment: SegmentInfo, bytes: number): void {
    segment.bytes += bytes;
    this.diskBytes += bytes;
  }

  /** Forgets the oldest segment; it must hold no live record. */
  removeOldestSegment(): SegmentInfo {
    const segment = this.segments.shift()!;
    if (segment.liveRecords !== 0) throw new Error(`segment ${segment.no} still holds ${segment.liveRecords} live records`);
    this.diskBytes -= segment.bytes;
    return segment;
  }

  queue(vhost: string, name: string): QueueState | undefined {
    return this.queuesByVhost.get(vhost)?.get(name);
  }

  queueOrCreate(vhost: string, name: string): QueueState {
    let byName = this.queuesByVhost.get(vhost);
    if (!byName) this.queuesByVhost.set(vhost, (byName = new Map()));
    let queue = byName.get(name);
    if (!queue) byName.set(name, (queue = { vhost, name, ref: this.nextRef++, namedIn: undefined, messages: new Map() }));
    return queue;
  }

  *queues(): IterableIterator<QueueState> {
    for (const byName of this.queuesByVhost.values()) yield* byName.values();
  }

  /** The entry of message `id`, created (without its data) when unknown. */
  messageEntry(id: number): MessageEntry {
    let entry = this.messages.get(id);
    if (!entry) this.messages.set(id, (entry = { id, message: undefined, segment: undefined, recordBytes: 0, refs: 0 }));
    return entry;
  }

  /** A MESSAGE record for `entry` sits in `segment`: a first one, or a rewritten copy that replaces the old. */
  placeMessage(entry: MessageEntry, message: Message, segment: SegmentInfo, recordBytes: number): void {
    if (entry.refs > 0 && entry.segment) this.count(entry.segment, -1, -entry.recordBytes);
    entry.message = message;
    entry.segment = segment;
    entry.recordBytes = recordBytes;
    if (entry.refs > 0) this.count(segment, 1, recordBytes);
  }

  enqueue(queue: QueueState, seq: number, entry: MessageEntry, segment: SegmentInfo): void {
    this.remove(queue, seq);
    queue.messages.set(seq, { entry, segment });
    this.count(segment, 1, ENQUEUE_RECORD_BYTES);
    if (++entry.refs === 1 && entry.segment) this.count(entry.segment, 1, entry.recordBytes);
  }

  /** Takes the message at `seq` out of the queue; undefined when it was not there. */
  remove(queue: QueueState, seq: number): MessageEntry | undefined {
    const queued = queue.messages.get(seq);
    if (!queued) return undefined;
    queue.messages.delete(seq);
    this.count(queued.segment, -1, -ENQUEUE_RECORD_BYTES);
    this.release(queued.entry);
    return queued.entry;
  }

  /** An ENQUEUE record for a live queue entry was rewritten into `segment`. */
  relocate(queued: QueueEntry, segment: SegmentInfo): void {
    this.count(queued.segment, -1, -ENQUEUE_RECORD_BYTES);
    queued.segment = segment;
    this.count(segment, 1, ENQUEUE_RECORD_BYTES);
  }

  dropQueue(queue: QueueState): void {
    for (const queued of queue.messages.values()) {
      this.count(queued.segment, -1, -ENQUEUE_RECORD_BYTES);
      this.release(queued.entry);
    }
    queue.messages.clear();
    this.queuesByVhost.get(queue.vhost)?.delete(queue.name);
  }

  /**
   * End of replay: queue entries whose MESSAGE record never appeared (lost to
   * corruption) are removed, then messages and queues left empty are
   * forgotten. Returns how many queue entries were removed.
   */
  finishReplay(): number {
    let orphans = 0;
    for (const queue of [...this.queues()]) {
      for (const [seq, queued] of queue.messages) {
        if (queued.entry.message) continue;
        this.remove(queue, seq);
        orphans++;
      }
      if (queue.messages.size === 0) this.queuesByVhost.get(queue.vhost)!.delete(queue.name);
    }
    for (const [id, entry] of this.messages) if (entry.refs === 0) this.messages.delete(id);
    return orphans;
  }

  private release(entry: MessageEntry): void {
    if (--entry.refs > 0) return;
    if (entry.segment) this.count(entry.segment, -1, -entry.recordBytes);
    this.messages.delete(entry.id);
  }

  private count(segment: SegmentInfo, records: number, bytes: number): void {
    segment.liveRecords += records;
    segment.liveBytes += bytes;
    this.liveBytes += bytes;
  }
}
