// A stream on disk (files: segment-format.ts) with group commit.
//
// append() encodes the record into the newest segment's buffer and schedules
// a commit on setImmediate. A commit writes any segment sealed meanwhile and
// the newest segment's buffer, then starts asynchronous fdatasyncs of those
// segments (and of the directory when a segment file was created: a new
// segment is not synced on the event loop); when they complete, every
// record appended before the commit becomes readable and every flush()
// callback taken by the commit is called. Appends arriving during the sync
// wait for the next commit, which starts as soon as the sync ends, so syncs
// run back to back under load and each covers everything that came meanwhile.
//
// States: open → failed (a write or sync failed: appends throw, flushes get
// the error) → closed / destroyed (close() writes and syncs what is left).
//
// Reads go through cursors: a read that continues where an earlier one ended
// (the usual consumer) reuses its file position and read-ahead chunk; any
// other read seeks with the sparse index and reads at most one index
// interval before reaching its offset. Records are read without CRC checks:
// the newest segment was checked when opened, and the rest was written by
// this process or checked before it.

import { close, fdatasync, fsync, fsyncSync, mkdirSync, open, openSync, closeSync, readdirSync, rmSync } from 'node:fs';
import {
  lastAtOrBelow,
  segmentsToDrop,
  type NewStreamRecord,
  type SegmentSummary,
  type StreamLimits,
  type StreamRecord,
  type StreamStore,
} from '../../broker/stream/stream-store';
import { GroupOffsetsFile } from './group-offsets-file';
import { encodeRecord, parseSegmentFileName, RecordDecoder, SEGMENT_HEADER_BYTES } from './segment-format';
import { StreamSegment } from './stream-segment';

type FlushCallback = (error?: Error) => void;

/** Bytes read ahead by a cursor. */
const CHUNK_BYTES = 128 * 1024;
/** A buffer this full is written at once instead of waiting for the commit. */
const WRITE_EARLY_BYTES = 4 * 1024 * 1024;
/** Cursors kept for reads that continue where they stopped. */
const MAX_CURSORS = 64;

interface Cursor {
  segment: StreamSegment;
  /** File position and offset of the next record. */
  position: number;
  next: number;
  chunk: Buffer;
  /** File position of chunk[0]. */
  chunkAt: number;
}

export class FileStreamStore implements StreamStore {
  readonly durable = true;
  nextOffset = 0;
  readableEnd = 0;
  /** Never empty (nor firstOffsets, its first offsets): the constructor adds a segment and retention keeps the newest. */
  private readonly segmentList: StreamSegment[] = [];
  private readonly firstOffsets: number[] = [];
  /** Rotated segments whose records are not all written and synced yet. */
  private sealing: StreamSegment[] = [];
  /** Sealed segments written out but not yet synced (the next commit syncs them). */
  private unsynced: StreamSegment[] = [];
  /** A segment file was created since the directory was last synced. */
  private directoryUnsynced = false;
  private waiting: FlushCallback[] = [];
  private inSync: FlushCallback[] = [];
  private syncing = false;
  private scheduled = false;
  private failure: Error | null = null;
  private closed = false;
  private readonly cursors = new Map<number, Cursor>();
  private readonly decoder = new RecordDecoder();
  private readonly groups: GroupOffsetsFile;

  constructor(
    private readonly dir: string,
    private limits: StreamLimits,
    private readonly onRelease: () => void = () => {},
  ) {
    mkdirSync(dir, { recursive: true });
    const offsets = readdirSync(dir)
      .map(parseSegmentFileName)
      .filter((o): o is number => o !== undefined)
      .sort((a, b) => a - b);
    offsets.forEach((offset, i) => this.addSegment(StreamSegment.load(dir, offset, offsets[i + 1] ?? null)));
    if (offsets.length === 0) {
      const first = StreamSegment.pending(dir, 0);
      first.writePending();
      first.syncNow();
      this.addSegment(first);
      this.syncDirectory();
    }
    this.nextOffset = this.readableEnd = this.newest.nextOffset;
    this.groups = new GroupOffsetsFile(dir);
  }

  get firstOffset(): number {
    return this.firstOffsets[0]!;
  }

  get bytes(): number {
    let bytes = 0;
    for (const s of this.segmentList) bytes += s.size - SEGMENT_HEADER_BYTES;
    return bytes;
  }

  get segmentCount(): number {
    return this.segmentList.length;
  }

  get lastTimestamp(): number | null {
    for (let i = this.segmentList.length - 1; i >= 0; i--) {
      const t = this.segmentList[i]!.lastTimestamp;
      if (t !== null) return t;
    }
    return null;
  }

  append(record: NewStreamRecord): number {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('stream store is closed');
    let segment = this.newest;
    if (segment.recordCount > 0 && segment.size >= this.limits.maxSegmentBytes) {
      this.sealing.push(segment);
      segment = StreamSegment.pending(this.dir, this.nextOffset);
      this.addSegment(segment);
    }
    const last = segment.lastTimestamp ?? this.lastTimestamp;
    const timestamp = last !== null && record.timestamp < last ? last : record.timestamp;
    const offset = this.nextOffset;
    const size = encodeRecord(segment.out, offset, record.timestamp === timestamp ? record : { ...record, timestamp });
    segment.recordAppended(offset, timestamp, size);
    this.nextOffset++;
    if (segment.out.pending >= WRITE_EARLY_BYTES && segment.hasFile && this.sealing.length === 0) this.guard(() => segment.writePending());
    this.scheduleCommit();
    return offset;
  }

  flush(done: FlushCallback): void {
    if (this.failure) return done(this.failure);
    if (this.closed) return done(this.readableEnd === this.nextOffset ? undefined : new Error('stream store is closed'));
    if (this.readableEnd === this.nextOffset && !this.syncing) return done();
    this.waiting.push(done);
    this.scheduleCommit();
  }

  read(offset: number, maxCount: number): StreamRecord[] {
    return this.readUpTo(offset, maxCount, this.readableEnd);
  }

  offsetAt(timestamp: number): number {
    // Scans may reach records appended but not yet synced: write them out first.
    this.writeOut();
    const segment = this.segmentList.find((seg) => seg.lastTimestamp !== null && seg.lastTimestamp >= timestamp);
    if (segment === undefined) return this.nextOffset;
    const entry = Math.max(0, lastAtOrBelow(segment.indexTimes, timestamp - 1));
    for (let at = segment.indexOffsets[entry]!; at < this.nextOffset; ) {
      // a segment with records has an index entry
      const batch = this.readUpTo(at, 256, this.nextOffset);
      if (batch.length === 0) break;
      for (const record of batch) if (record.timestamp >= timestamp) return record.offset;
      at = batch[batch.length - 1]!.offset + 1;
    }
    return this.nextOffset;
  }

  bytesFrom(offset: number): number {
    const at = Math.max(offset, this.firstOffset);
    if (at >= this.nextOffset) return 0;
    const s = lastAtOrBelow(this.firstOffsets, at); // >= 0, as at >= firstOffset
    const segment = this.segmentList[s]!;
    let bytes = segment.size - segment.indexPositions[Math.max(0, lastAtOrBelow(segment.indexOffsets, at))]!;
    for (let i = s + 1; i < this.segmentList.length; i++) bytes += this.segmentList[i]!.size - SEGMENT_HEADER_BYTES;
    return bytes;
  }

  segments(): SegmentSummary[] {
    return this.segmentList.map((s) => ({
      firstOffset: s.firstOffset,
      lastOffset: s.nextOffset - 1,
      firstTimestamp: s.firstTimestamp,
      lastTimestamp: s.lastTimestamp,
      bytes: s.size - SEGMENT_HEADER_BYTES,
    }));
  }

  setLimits(limits: StreamLimits): void {
    this.limits = limits;
  }

  applyRetention(now: number): number {
    // Only segments whose records are all synced may go (never one a sync is still running on).
    const settled = this.segmentList.findIndex(
      (s) => this.sealing.includes(s) || this.unsynced.includes(s) || s === this.newest || s.nextOffset > this.readableEnd,
    );
    const drop = Math.min(segmentsToDrop(this.segments(), this.limits, now), settled < 0 ? 0 : settled);
    for (const segment of this.segmentList.splice(0, drop)) segment.remove();
    this.firstOffsets.splice(0, drop);
    if (drop > 0) {
      for (const [key, cursor] of this.cursors) if (cursor.segment.deleted) this.cursors.delete(key);
    }
    return drop;
  }

  groupOffsets(): Map<string, number> {
    return this.groups.all();
  }

  commitGroupOffset(group: string, offset: number): void {
    this.groups.set(group, offset);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    let error: Error | undefined = this.failure ?? undefined;
    if (!error) {
      try {
        this.writeOut();
        for (const segment of this.takeUnsynced()) segment.syncNow();
        if (this.directoryUnsynced) this.syncDirectory();
        this.directoryUnsynced = false;
        this.readableEnd = this.nextOffset;
        if (this.groups.all().size > 0) this.groups.writeNow();
      } catch (e) {
        error = e as Error;
      }
    }
    this.answer([...this.inSync, ...this.waiting], error);
    this.inSync = [];
    this.waiting = [];
    for (const segment of this.segmentList) segment.close();
    this.onRelease();
  }

  destroy(): void {
    this.groups.discard();
    const callbacks = [...this.inSync, ...this.waiting];
    this.inSync = [];
    this.waiting = [];
    this.closed = true;
    for (const segment of this.segmentList) segment.close();
    rmSync(this.dir, { recursive: true, force: true });
    this.answer(callbacks, new Error('stream deleted'));
    this.onRelease();
  }

  // ---- internals -------------------------------------------------------------

  private get newest(): StreamSegment {
    return this.segmentList[this.segmentList.length - 1]!;
  }

  private addSegment(segment: StreamSegment): void {
    this.segmentList.push(segment);
    this.firstOffsets.push(segment.firstOffset);
  }

  private scheduleCommit(): void {
    if (this.scheduled || this.syncing || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.commit());
  }

  /** Writes rotated segments and the newest one's buffer (the syncs come with the next commit). */
  private writeOut(): void {
    for (const segment of this.sealing) {
      segment.writePending();
      this.unsynced.push(segment);
    }
    this.sealing = [];
    if (!this.newest.hasFile) this.directoryUnsynced = true;
    this.newest.writePending();
  }

  /** The segments a commit syncs: those sealed since the last one, and the newest. */
  private takeUnsynced(): StreamSegment[] {
    const segments = [...this.unsynced, this.newest];
    this.unsynced = [];
    return segments;
  }

  private commit(): void {
    this.scheduled = false;
    if (this.syncing || this.closed || this.failure) return;
    if (!this.guard(() => this.writeOut())) return;
    const target = this.nextOffset;
    const callbacks = this.waiting;
    this.waiting = [];
    this.inSync = callbacks;
    this.syncing = true;
    const descriptors = this.takeUnsynced().map((segment) => segment.descriptor);
    const directory = this.directoryUnsynced;
    this.directoryUnsynced = false;
    let left = descriptors.length + (directory ? 1 : 0);
    let failed: Error | null = null;
    const synced = (error: Error | null) => {
      failed ??= error;
      if (--left > 0) return;
      this.syncing = false;
      if (this.closed) return; // close() or destroy() answered the callbacks
      this.inSync = [];
      if (failed) {
        this.fail(failed, callbacks);
        return;
      }
      if (target > this.readableEnd) this.readableEnd = target;
      this.answer(callbacks);
      if (this.waiting.length > 0 || this.nextOffset > this.readableEnd) this.scheduleCommit();
    };
    for (const fd of descriptors) fdatasync(fd, synced);
    if (directory) syncDirectoryAsync(this.dir, synced);
  }

  private readUpTo(offset: number, maxCount: number, end: number): StreamRecord[] {
    const out: StreamRecord[] = [];
    const from = Math.max(offset, this.firstOffset);
    if (from >= end || maxCount <= 0) return out;
    let cursor = this.cursors.get(from);
    if (cursor === undefined || cursor.segment.deleted) cursor = this.seek(from);
    else this.cursors.delete(from);
    while (out.length < maxCount && cursor.next < end) {
      if (cursor.next >= cursor.segment.nextOffset) {
        const following: StreamSegment | undefined = this.segmentList[this.segmentList.indexOf(cursor.segment) + 1];
        if (following === undefined) break;
        cursor = { segment: following, position: SEGMENT_HEADER_BYTES, next: following.firstOffset, chunk: EMPTY, chunkAt: 0 };
        continue;
      }
      let record = this.decoder.decode(cursor.chunk, cursor.position - cursor.chunkAt, false);
      if (record === null) {
        this.refill(cursor);
        record = this.decoder.decode(cursor.chunk, 0, false);
      }
      if (record === null || record === 'damaged') {
        throw new Error(`stream ${this.dir}: unreadable record at offset ${cursor.next} (position ${cursor.position})`);
      }
      cursor.position += this.decoder.size;
      cursor.next = record.offset + 1;
      if (record.offset >= from) out.push(record);
    }
    // A cursor that has used up its chunk (a reader waiting at the tail) keeps no buffer.
    if (cursor.position - cursor.chunkAt >= cursor.chunk.length) cursor.chunk = EMPTY;
    this.keepCursor(cursor);
    return out;
  }

  /** Reads ahead from the cursor's position: a chunk, or the whole record when it is bigger. */
  private refill(cursor: Cursor): void {
    const segment = cursor.segment;
    let chunk = segment.readAt(cursor.position, CHUNK_BYTES);
    if (chunk.length >= 4) {
      const recordBytes = chunk.readUInt32BE(0) + 8;
      if (recordBytes > chunk.length) chunk = segment.readAt(cursor.position, recordBytes);
    }
    cursor.chunk = chunk;
    cursor.chunkAt = cursor.position;
  }

  private seek(offset: number): Cursor {
    const segment = this.segmentList[Math.max(0, lastAtOrBelow(this.firstOffsets, offset))]!;
    const entry = lastAtOrBelow(segment.indexOffsets, offset);
    if (entry < 0) return { segment, position: SEGMENT_HEADER_BYTES, next: segment.firstOffset, chunk: EMPTY, chunkAt: 0 };
    return { segment, position: segment.indexPositions[entry]!, next: segment.indexOffsets[entry]!, chunk: EMPTY, chunkAt: 0 };
  }

  private keepCursor(cursor: Cursor): void {
    if (this.cursors.size >= MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value as number);
    this.cursors.set(cursor.next, cursor);
  }

  private syncDirectory(): void {
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Runs a write step; a failure fails the store. */
  private guard(step: () => unknown): boolean {
    try {
      step();
      return true;
    } catch (error) {
      this.fail(error as Error, []);
      return false;
    }
  }

  private fail(error: Error, callbacks: FlushCallback[]): void {
    this.failure = error;
    const waiting = this.waiting;
    this.waiting = [];
    this.answer([...callbacks, ...waiting], error);
  }

  private answer(callbacks: FlushCallback[], error?: Error): void {
    for (const done of callbacks) done(error);
  }
}

const EMPTY = Buffer.alloc(0);

/** fsync of a directory (its new entries), off the event loop. */
function syncDirectoryAsync(dir: string, done: (error: Error | null) => void): void {
  open(dir, 'r', (openError, fd) => {
    if (openError) return done(openError);
    fsync(fd, (syncError) => close(fd, (closeError) => done(syncError ?? closeError ?? null)));
  });
}
