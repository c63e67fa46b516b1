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
// Storage: a million queued messages must replay in well under a second of
// index work, so there is no object per message here. Messages and queue
// entries are rows of chunked columns (row-columns.ts: typed arrays, plus one
// column of references for the Message objects), addressed by slot number and
// reused through free lists; an entry names its queue by the queue's ref; SlotMaps find a message's slot by id and a queue
// entry's slot by seq. A queue entry's deadline (ENQUEUE_EXPIRING) lives in
// a column allocated only once some entry has one, so journals without TTLs
// pay nothing for it.
//
// A message row lives from its MESSAGE record (or, during replay, from the
// first ENQUEUE naming it) until its last queue entry goes; `refs` counts
// those entries. Replay differs in two ways, both because compaction moves
// records later in the files than the moment they were live: an ENQUEUE may
// precede its MESSAGE record (the row waits without its Message), and a
// message's refs may fall to zero and rise again when an entry's rewritten
// ENQUEUE comes after the removal of another entry (so rows are kept until
// `finishReplay`, which frees the unheld ones and settles the rest).
//
// Rows are only addressed below the rows in use, which every column covers.

import type { Message } from '../../broker/message';
import { ENQUEUE_RECORD_BYTES } from './format';
import type { LostEntry } from './replay';
import { float64Column, int32Column, ObjectColumn, uint8Column } from './row-columns';
import { SlotMap } from './slot-map';

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

export interface QueueState {
  readonly vhost: string;
  readonly name: string;
  /** Number standing for the queue in records of the running journal. */
  readonly ref: number;
  /** The last segment given this queue's QUEUE_NAME record. */
  namedIn: SegmentInfo | undefined;
  /** Queue entry slot by seq. */
  readonly entries: SlotMap;
}

/** No segment: a message row whose MESSAGE record has not been seen yet. */
const NO_SEGMENT = -1;

/** The queue ref of a free queue entry row (refs start at 1). */
const NO_QUEUE = 0;

export class LiveIndex {
  /** Oldest first; the last one is the segment being written. */
  readonly segments: SegmentInfo[] = [];
  private readonly segmentsByNo = new Map<number, SegmentInfo>();
  private readonly queuesByVhost = new Map<string, Map<string, QueueState>>();
  private readonly queuesByRef = new Map<number, QueueState>();
  private nextRef = 1;
  liveBytes = 0;
  diskBytes = 0;
  /** Messages held by at least one queue entry. */
  liveMessages = 0;
  /** True until finishReplay: rows of unheld messages are kept meanwhile. */
  private replaying = true;

  // Message rows. A free row has id NaN.
  private readonly messageSlots = new SlotMap();
  private readonly messageId = float64Column(NaN);
  private readonly messageRefs = int32Column();
  private readonly messageSegment = int32Column();
  private readonly messageBytes = int32Column();
  private readonly messageObject = new ObjectColumn<Message>();
  private readonly freeMessageRows: number[] = [];
  private messageRowsUsed = 0;

  // Queue entry rows. A free row has queue ref NO_QUEUE.
  private readonly entryMessage = int32Column();
  private readonly entrySegment = int32Column();
  private readonly entrySeq = float64Column();
  /** 1 once the message went to a consumer (a DELIVERED record). */
  private readonly entryDelivered = uint8Column();
  /** Epoch ms deadline of the entry, 0 for none; null until the first entry with one. */
  private entryExpiresAt: ReturnType<typeof float64Column> | null = null;
  private readonly entryQueue = int32Column(NO_QUEUE);
  private readonly freeEntryRows: number[] = [];
  private entryRowsUsed = 0;

  addSegment(no: number, bytes: number): SegmentInfo {
    const segment: SegmentInfo = { no, bytes, liveRecords: 0, liveBytes: 0 };
    this.segments.push(segment);
    this.segmentsByNo.set(no, segment);
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
    this.segmentsByNo.delete(segment.no);
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
    if (!queue) {
      queue = { vhost, name, ref: this.nextRef++, namedIn: undefined, entries: new SlotMap() };
      byName.set(name, queue);
      this.queuesByRef.set(queue.ref, queue);
    }
    return queue;
  }

  *queues(): IterableIterator<QueueState> {
    for (const byName of this.queuesByVhost.values()) yield* byName.values();
  }

  // --- messages ---------------------------------------------------------

  /** The row of message `id`, or -1. */
  findMessage(id: number): number {
    return this.messageSlots.get(id);
  }

  /** The row of message `id`, created (without its Message) when unknown. */
  messageRow(id: number): number {
    const existing = this.messageSlots.get(id);
    if (existing >= 0) return existing;
    const row = this.freeMessageRows.pop() ?? this.messageRowsUsed++;
    if (row === this.messageRowsUsed - 1) {
      this.messageId.ensure(row + 1);
      this.messageRefs.ensure(row + 1);
      this.messageSegment.ensure(row + 1);
      this.messageBytes.ensure(row + 1);
      this.messageObject.ensure(row + 1);
    }
    this.messageId.set(row, id);
    this.messageRefs.set(row, 0);
    this.messageSegment.set(row, NO_SEGMENT);
    this.messageBytes.set(row, 0);
    this.messageObject.set(row, undefined);
    this.messageSlots.set(id, row);
    return row;
  }

  message(row: number): Message | undefined {
    return this.messageObject.get(row);
  }

  /** A MESSAGE record for the row sits in `segment`: a first one, or a rewritten copy that replaces the old. */
  placeMessage(row: number, message: Message, segment: SegmentInfo, recordBytes: number): void {
    const held = this.messageRefs.get(row) > 0;
    if (held && this.messageSegment.get(row) !== NO_SEGMENT) this.count(this.messageSegment.get(row), -1, -this.messageBytes.get(row));
    this.messageObject.set(row, message);
    this.messageSegment.set(row, segment.no);
    this.messageBytes.set(row, recordBytes);
    if (held) this.count(segment.no, 1, recordBytes);
  }

  /** Swaps in an equal Message (same id and record), e.g. one with a re-homed body. */
  replaceMessage(row: number, message: Message): void {
    this.messageObject.set(row, message);
  }

  /** Message rows in use are below this number. */
  get messageRowCount(): number {
    return this.messageRowsUsed;
  }

  /** Whether the row's message is held by a queue and its MESSAGE record is in `segment`. */
  messageHeldIn(row: number, segment: SegmentInfo): boolean {
    return this.messageRefs.get(row) > 0 && this.messageSegment.get(row) === segment.no;
  }

  /** Calls `visit` for every message held by some queue. */
  forEachHeldMessage(visit: (row: number, message: Message) => void): void {
    for (let row = 0; row < this.messageRowsUsed; row++) {
      if (this.messageRefs.get(row) > 0) visit(row, this.messageObject.get(row)!);
    }
  }

  // --- queue entries ------------------------------------------------------

  /** The message row held by the queue at `seq`, or -1. */
  queuedMessage(queue: QueueState, seq: number): number {
    const entry = queue.entries.get(seq);
    return entry < 0 ? -1 : this.entryMessage.get(entry);
  }

  /** `expiresAt`: epoch ms at which the message expires in the queue, 0 for never. */
  enqueue(queue: QueueState, seq: number, messageRow: number, segment: SegmentInfo, expiresAt = 0): void {
    const entry = this.freeEntryRows.pop() ?? this.entryRowsUsed++;
    if (entry === this.entryRowsUsed - 1) {
      this.entryMessage.ensure(entry + 1);
      this.entrySegment.ensure(entry + 1);
      this.entrySeq.ensure(entry + 1);
      this.entryDelivered.ensure(entry + 1);
      this.entryQueue.ensure(entry + 1);
    }
    this.entryMessage.set(entry, messageRow);
    this.entrySegment.set(entry, segment.no);
    this.entrySeq.set(entry, seq);
    this.entryDelivered.set(entry, 0);
    if (expiresAt !== 0 && this.entryExpiresAt === null) this.entryExpiresAt = float64Column();
    if (this.entryExpiresAt !== null) {
      this.entryExpiresAt.ensure(this.entryRowsUsed);
      this.entryExpiresAt.set(entry, expiresAt);
    }
    this.entryQueue.set(entry, queue.ref);
    this.count(segment.no, 1, ENQUEUE_RECORD_BYTES);
    if (this.messageRefs.add(messageRow, 1) === 1) {
      this.liveMessages++;
      if (this.messageSegment.get(messageRow) !== NO_SEGMENT) this.count(this.messageSegment.get(messageRow), 1, this.messageBytes.get(messageRow));
    }
    // Released after the new reference is taken, in case both hold the same message.
    const replaced = queue.entries.set(seq, entry);
    if (replaced >= 0) this.release(replaced);
  }

  /**
   * Marks the message at `seq` as delivered; false when the queue does not
   * hold it or it was marked already.
   */
  markDelivered(queue: QueueState, seq: number): boolean {
    const entry = queue.entries.get(seq);
    if (entry < 0 || this.entryDelivered.get(entry) === 1) return false;
    this.entryDelivered.set(entry, 1);
    return true;
  }

  /** Takes the message at `seq` out of the queue; false when it was not there. */
  remove(queue: QueueState, seq: number): boolean {
    const entry = queue.entries.delete(seq);
    if (entry < 0) return false;
    this.release(entry);
    return true;
  }

  dropQueue(queue: QueueState): void {
    queue.entries.forEach((_seq, entry) => this.release(entry));
    queue.entries.clear();
    this.forgetQueue(queue);
  }

  /** Queue entry rows in use are below this number. */
  get entryRowCount(): number {
    return this.entryRowsUsed;
  }

  /** Whether the queue entry row is live and its ENQUEUE record is in `segment`. */
  entryIn(entry: number, segment: SegmentInfo): boolean {
    return this.entryQueue.get(entry) !== NO_QUEUE && this.entrySegment.get(entry) === segment.no;
  }

  /** What a live queue entry row holds, or undefined once it is gone. */
  entry(entry: number): { queue: QueueState; seq: number; messageId: number; delivered: boolean; expiresAt: number } | undefined {
    const ref = this.entryQueue.get(entry);
    if (ref === NO_QUEUE) return undefined;
    return {
      queue: this.queuesByRef.get(ref)!,
      seq: this.entrySeq.get(entry),
      messageId: this.messageId.get(this.entryMessage.get(entry)),
      delivered: this.entryDelivered.get(entry) === 1,
      expiresAt: this.expiresAtOf(entry),
    };
  }

  /** The ENQUEUE record of a live queue entry was rewritten into `segment`. */
  relocateEntry(entry: number, segment: SegmentInfo): void {
    this.count(this.entrySegment.get(entry), -1, -ENQUEUE_RECORD_BYTES);
    this.entrySegment.set(entry, segment.no);
    this.count(segment.no, 1, ENQUEUE_RECORD_BYTES);
  }

  /** Calls `visit` for each message of the queue in seq order. */
  forEachQueued(queue: QueueState, visit: (seq: number, message: Message, delivered: boolean, expiresAt: number) => void): void {
    queue.entries.forEach((seq, entry) =>
      visit(seq, this.messageObject.get(this.entryMessage.get(entry))!, this.entryDelivered.get(entry) === 1, this.expiresAtOf(entry)),
    );
  }

  /**
   * End of replay: queue entries whose MESSAGE record never appeared (lost to
   * corruption) are removed, then messages and queues left empty are
   * forgotten. Returns the queue entries removed.
   */
  finishReplay(): LostEntry[] {
    const orphans: LostEntry[] = [];
    for (let entry = 0; entry < this.entryRowsUsed; entry++) {
      const ref = this.entryQueue.get(entry);
      if (ref === NO_QUEUE || this.messageObject.get(this.entryMessage.get(entry))) continue;
      const queue = this.queuesByRef.get(ref)!;
      const seq = this.entrySeq.get(entry);
      orphans.push({ vhost: queue.vhost, queue: queue.name, seq, messageId: this.messageId.get(this.entryMessage.get(entry)) });
      this.remove(queue, seq);
    }
    for (let row = 0; row < this.messageRowsUsed; row++) {
      if (!Number.isNaN(this.messageId.get(row)) && this.messageRefs.get(row) === 0) this.freeMessage(row);
    }
    for (const queue of [...this.queues()]) {
      if (queue.entries.size === 0) this.forgetQueue(queue);
    }
    this.replaying = false;
    return orphans;
  }

  private expiresAtOf(entry: number): number {
    return this.entryExpiresAt === null ? 0 : this.entryExpiresAt.get(entry);
  }

  private forgetQueue(queue: QueueState): void {
    this.queuesByVhost.get(queue.vhost)?.delete(queue.name);
    this.queuesByRef.delete(queue.ref);
  }

  private release(entry: number): void {
    const row = this.entryMessage.get(entry);
    this.count(this.entrySegment.get(entry), -1, -ENQUEUE_RECORD_BYTES);
    this.entryQueue.set(entry, NO_QUEUE);
    this.freeEntryRows.push(entry);
    if (this.messageRefs.add(row, -1) > 0) return;
    this.liveMessages--;
    if (this.messageSegment.get(row) !== NO_SEGMENT) this.count(this.messageSegment.get(row), -1, -this.messageBytes.get(row));
    if (!this.replaying) this.freeMessage(row);
  }

  private freeMessage(row: number): void {
    this.messageSlots.delete(this.messageId.get(row));
    this.messageId.set(row, NaN);
    this.messageObject.set(row, undefined);
    this.freeMessageRows.push(row);
  }

  private count(segmentNo: number, records: number, bytes: number): void {
    const segment = this.segmentsByNo.get(segmentNo)!;
    segment.liveRecords += records;
    segment.liveBytes += bytes;
    this.liveBytes += bytes;
  }
}
