// Writes records to the current segment with group commit.
//
// Records are encoded into `out` (an in-memory buffer) as they come. A commit,
// scheduled with setImmediate after the first new record or flush request,
// writes everything buffered with one write call and then starts one
// fdatasync; flush callbacks waiting for bytes up to that point are called
// when it completes. Records and flushes that arrive while a sync runs wait
// for the next commit, which starts as soon as the sync completes. So under
// load syncs run back to back, each covering everything that arrived during
// the previous one, and no flush waits longer than about two syncs.
//
// States:
//   idle       nothing buffered, nothing waiting
//   scheduled  a commit will run on the next setImmediate
//   syncing    an fdatasync (after a rotation, then the directory's fsync)
//              is in flight; new records are buffered (and written straight
//              away once the buffer passes BUFFER_LIMIT)
//   out of space  a write failed with ENOSPC (or EDQUOT): the file is cut
//              back to its last whole record, the bytes stay buffered with
//              everything appended since, flushes wait, and the write is
//              tried again every OUT_OF_SPACE_RETRY_MS (or at once after
//              retrySoon, when the journal gave space back). Creating a
//              segment file fails the same way and is retried the same way:
//              until it exists the segment's records wait in memory. Once a
//              write goes through, everything continues as if nothing
//              happened. close() in this state gives up after one more try.
//   failed     any other write or sync error: every flush from then on gets
//              the error
//   closed     close() finished; appending throws
//
// Positions are logical byte counts over the life of the writer:
// synced <= written <= appended. A flush asked at `appended` = p is answered
// once `synced` >= p.
//
// Rotation happens inside a commit, right after the last write to the old
// segment: the new segment is created and becomes current at once (so every
// later record is written and counted there), and the commit's sync then
// covers the old file, closes it and syncs the directory before the new
// file's records can be confirmed (a file created later, after running out
// of space, gets its directory sync with the first commit that writes to
// it). No sync ever runs on the event loop.

import { BucketCounts } from '../../broker/bucket-counts';
import { closeSync, fdatasync, fsync, fsyncSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writer } from '../../amqp/codec/writer';
import { SEGMENT_HEADER_BYTES, segmentFileName, segmentHeader } from './format';
import type { LiveIndex, SegmentInfo } from './live-index';

export type FlushCallback = (error?: Error) => void;

/** Buffered bytes beyond which records are written without waiting for the commit. */
const BUFFER_LIMIT = 1024 * 1024;
/** How often a write that failed for want of disk space is tried again. */
const OUT_OF_SPACE_RETRY_MS = 1000;

/** What the writer tells its owner. */
export interface WriterEvents {
  /** After every completed sync (space reclamation runs there). */
  synced(): void;
  /** `bytes` reached a segment file. */
  written(bytes: number): void;
  /** Writes wait for disk space (true, with the error) or go through again (false). */
  outOfSpace(full: boolean, error?: Error): void;
}

export function isOutOfSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export interface WriterCounters {
  fsyncs: number;
  writes: number;
  bytesWritten: number;
}

/** Upper bounds, in seconds, of the fdatasync latency histogram: 100 µs to 2.5 s. */
export const SYNC_LATENCY_BOUNDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class SegmentWriter {
  /** Encode records here, then call recordAppended with their size. */
  readonly out = new Writer(256 * 1024);
  current!: SegmentInfo;
  readonly counters: WriterCounters = { fsyncs: 0, writes: 0, bytesWritten: 0 };
  /** How long each commit's fdatasync took, in seconds. */
  readonly syncLatency = new BucketCounts(SYNC_LATENCY_BOUNDS);
  /** The current segment's file, or -1 while it could not be created (out of space). */
  private fd = -1;
  /** Bytes in the current segment's file: where a failed write is cut back to. */
  private fileBytes = 0;
  /** A file was created since the last directory sync. */
  private directoryChanged = false;
  /** Bytes taken from `out` that could not be written for want of space; written first. */
  private unwritten: Buffer | null = null;
  /** Set while writes wait for disk space. */
  private outOfSpaceError: Error | null = null;
  private reportedOutOfSpace = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private giveUpWhenOutOfSpace = false;
  private appended = 0;
  private written = 0;
  private synced = 0;
  private syncing = false;
  private commitScheduled = false;
  private failure: Error | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Flush callbacks in order of `upTo`, consumed from `waitersHead`. */
  private waiters: { upTo: number; done: FlushCallback }[] = [];
  private waitersHead = 0;

  constructor(
    private readonly dir: string,
    private readonly index: LiveIndex,
    private readonly segmentBytes: number,
    private readonly events: WriterEvents,
  ) {}

  get appendedBytes(): number {
    return this.appended;
  }

  get syncedBytes(): number {
    return this.synced;
  }

  /** The error of the write that waits for disk space, if one does. */
  get outOfSpace(): Error | null {
    return this.outOfSpaceError;
  }

  /**
   * Makes segment `no` the current one and creates its file (later, when
   * the disk is full). The caller syncs the directory before anything
   * written to it is confirmed.
   */
  openSegment(no: number): void {
    this.current = this.index.addSegment(no, SEGMENT_HEADER_BYTES);
    this.fd = -1;
    this.createFile();
  }

  recordAppended(bytes: number): void {
    if (this.closed) throw new Error('journal is closed');
    this.index.grow(this.current, bytes);
    this.appended += bytes;
    if (this.failure) {
      this.out.take(); // nothing more reaches the disk once a write has failed
      return;
    }
    if (this.out.pending >= BUFFER_LIMIT && !this.outOfSpaceError) this.guard(() => this.writeOut());
    this.scheduleCommit();
  }

  /** Tries a write waiting for disk space again on the next turn (space was just given back). */
  retrySoon(): void {
    if (!this.outOfSpaceError) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.retry(), 0);
  }

  /** Calls `done` once every record appended so far is on disk. */
  flush(done: FlushCallback): void {
    if (this.failure || this.closed) {
      const error = this.failure ?? new Error('journal is closed');
      setImmediate(() => done(error));
      return;
    }
    this.waiters.push({ upTo: this.appended, done });
    this.scheduleCommit();
  }

  /**
   * Writes and syncs what is left, then closes the segment file. Out of
   * space, it tries once more and then gives up: what could not be written
   * is reported in the error.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<Error | undefined>((resolve) => {
      this.flush(resolve);
      this.giveUpWhenOutOfSpace = true;
      if (this.outOfSpaceError) this.retry();
    }).then((error) => {
      this.closed = true;
      clearTimeout(this.retryTimer);
      if (this.fd >= 0) closeSync(this.fd);
      this.fd = -1;
      if (error) throw error;
    });
    return this.closing;
  }

  syncDirectory(): void {
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    this.directoryChanged = false;
  }

  private scheduleCommit(): void {
    if (this.commitScheduled || this.failure) return;
    this.commitScheduled = true;
    setImmediate(() => this.commit());
  }

  private commit(): void {
    this.commitScheduled = false;
    // A running sync reschedules when it ends; out of space, the retry timer does.
    if (this.syncing || this.closed || this.failure || this.outOfSpaceError) return;
    if (!this.guard(() => this.writeOut())) return;
    const fd = this.fd;
    let rotated = false;
    if (!this.outOfSpaceError && this.current.bytes >= this.segmentBytes) {
      if (!this.guard(() => this.openSegment(this.current.no + 1))) return;
      rotated = true;
    }
    if (this.written === this.synced) {
      if (rotated) closeSync(fd);
      this.release();
      return;
    }
    const upTo = this.written;
    const syncDirectory = rotated || this.directoryChanged;
    this.directoryChanged = false;
    this.syncing = true;
    const syncStarted = performance.now();
    fdatasync(fd, (error) => {
      if (error) return this.fail(error);
      this.counters.fsyncs++;
      this.syncLatency.observe((performance.now() - syncStarted) / 1000);
      if (rotated) closeSync(fd);
      if (!syncDirectory) return this.commitDone(upTo);
      this.syncDirectoryThen((dirError) => (dirError ? this.fail(dirError) : this.commitDone(upTo)));
    });
  }

  /** The end of a commit: everything up to `upTo` is on disk. */
  private commitDone(upTo: number): void {
    this.syncing = false;
    this.synced = upTo;
    this.release();
    this.events.synced();
    if (this.appended > this.synced || this.waitersHead < this.waiters.length) this.scheduleCommit();
  }

  /** Creates the current segment's file with its header; false (and out of space) when the disk is full. */
  private createFile(): boolean {
    const path = join(this.dir, segmentFileName(this.current.no));
    let fd = -1;
    try {
      fd = openSync(path, 'wx');
      const header = segmentHeader();
      writeSync(fd, header);
      this.fileBytes = header.length;
    } catch (error) {
      if (fd >= 0) {
        closeSync(fd);
        unlinkSync(path); // no header: created again on the next try
      }
      if (!isOutOfSpace(error)) throw error;
      this.waitForSpace(error as Error);
      return false;
    }
    this.fd = fd;
    this.directoryChanged = true;
    return true;
  }

  private waitForSpace(error: Error): void {
    this.outOfSpaceError = error;
    if (this.giveUpWhenOutOfSpace) {
      const lost = this.appended - this.written;
      return this.fail(
        new Error(`the journal could not write its last ${lost} bytes (${error.message}): unconfirmed messages and acknowledgements since are not on disk`),
      );
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.retry(), OUT_OF_SPACE_RETRY_MS).unref();
    if (this.reportedOutOfSpace) return;
    this.reportedOutOfSpace = true;
    this.events.outOfSpace(true, error);
  }

  private retry(): void {
    this.retryTimer = undefined;
    if (!this.outOfSpaceError || this.closed || this.failure) return;
    this.outOfSpaceError = null;
    this.commit();
  }

  private syncDirectoryThen(done: (error: Error | null) => void): void {
    let dirFd: number;
    try {
      dirFd = openSync(this.dir, 'r');
    } catch (error) {
      return done(error as Error);
    }
    fsync(dirFd, (error) => {
      closeSync(dirFd);
      done(error);
    });
  }

  private writeOut(): void {
    if (this.outOfSpaceError || (this.out.pending === 0 && this.unwritten === null)) return;
    if (this.fd < 0 && !this.createFile()) return;
    const taken = this.out.take();
    const chunk = this.unwritten === null ? taken : Buffer.concat([this.unwritten, taken]);
    this.unwritten = null;
    try {
      // At explicit positions: after a failed write the file offset may lie past the cut-back end.
      let done = 0;
      while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done, this.fileBytes + done);
    } catch (error) {
      if (!isOutOfSpace(error)) throw error;
      ftruncateSync(this.fd, this.fileBytes); // no partial record stays in the file; truncating needs no space
      this.unwritten = chunk;
      this.waitForSpace(error as Error);
      return;
    }
    this.fileBytes += chunk.length;
    this.counters.writes++;
    this.counters.bytesWritten += chunk.length;
    this.written += chunk.length;
    this.events.written(chunk.length);
    if (this.reportedOutOfSpace) {
      this.reportedOutOfSpace = false;
      this.events.outOfSpace(false);
    }
  }

  private release(): void {
    while (this.waitersHead < this.waiters.length && this.waiters[this.waitersHead]!.upTo <= this.synced) {
      callWaiter(this.waiters[this.waitersHead++]!.done);
    }
    if (this.waitersHead === this.waiters.length) {
      this.waiters = [];
      this.waitersHead = 0;
    }
  }

  /** Runs an I/O step; on an error enters the failed state and returns false. */
  private guard(step: () => void): boolean {
    try {
      step();
      return true;
    } catch (error) {
      this.fail(error as Error);
      return false;
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    clearTimeout(this.retryTimer);
    this.unwritten = null;
    this.out.take(); // what could not be written is dropped with the journal
    const waiting = this.waiters.slice(this.waitersHead);
    this.waiters = [];
    this.waitersHead = 0;
    for (const waiter of waiting) callWaiter(waiter.done, error);
  }
}

/**
 * Calls one flush callback of a batch. A callback that throws is a bug of its
 * caller (which should close its own channel or connection); it must not
 * keep the rest of the batch, confirms included, from being answered.
 */
function callWaiter(done: FlushCallback, error?: Error): void {
  try {
    done(error);
  } catch (thrown) {
    console.error('journal: a callback waiting for a commit threw; the other waiters of the batch are answered', thrown);
  }
}
