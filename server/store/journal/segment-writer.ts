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
//   failed     a write or sync failed: every flush from then on gets the error
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
// file's records can be confirmed. No sync ever runs on the event loop.

import { closeSync, fdatasync, fsync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writer } from '../../amqp/codec/writer';
import { segmentFileName, segmentHeader } from './format';
import type { LiveIndex, SegmentInfo } from './live-index';

export type FlushCallback = (error?: Error) => void;

/** Buffered bytes beyond which records are written without waiting for the commit. */
const BUFFER_LIMIT = 1024 * 1024;

export interface WriterCounters {
  fsyncs: number;
  writes: number;
  bytesWritten: number;
}

export class SegmentWriter {
  /** Encode records here, then call recordAppended with their size. */
  readonly out = new Writer(256 * 1024);
  current!: SegmentInfo;
  readonly counters: WriterCounters = { fsyncs: 0, writes: 0, bytesWritten: 0 };
  private fd = -1;
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
    /** Called after every completed sync (space reclamation runs there). */
    private readonly onSynced: () => void,
  ) {}

  get appendedBytes(): number {
    return this.appended;
  }

  get syncedBytes(): number {
    return this.synced;
  }

  /**
   * Creates segment `no` and makes it the current one. The caller syncs the
   * directory before anything written to it is confirmed.
   */
  openSegment(no: number): void {
    const header = segmentHeader();
    const fd = openSync(join(this.dir, segmentFileName(no)), 'wx');
    writeSync(fd, header);
    this.fd = fd;
    this.current = this.index.addSegment(no, header.length);
  }

  recordAppended(bytes: number): void {
    if (this.closed) throw new Error('journal is closed');
    this.index.grow(this.current, bytes);
    this.appended += bytes;
    if (this.failure) {
      this.out.take(); // nothing more reaches the disk once a write has failed
      return;
    }
    if (this.out.pending >= BUFFER_LIMIT) this.guard(() => this.writeOut());
    this.scheduleCommit();
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

  /** Writes and syncs what is left, then closes the segment file. */
  close(): Promise<void> {
    this.closing ??= new Promise<Error | undefined>((resolve) => this.flush(resolve)).then((error) => {
      this.closed = true;
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
  }

  private scheduleCommit(): void {
    if (this.commitScheduled || this.failure) return;
    this.commitScheduled = true;
    setImmediate(() => this.commit());
  }

  private commit(): void {
    this.commitScheduled = false;
    if (this.syncing || this.closed || this.failure) return; // a running sync reschedules when it ends
    const fd = this.fd;
    let rotated = false;
    const ok = this.guard(() => {
      this.writeOut();
      if (this.current.bytes >= this.segmentBytes) {
        this.openSegment(this.current.no + 1);
        rotated = true;
      }
    });
    if (!ok) return;
    if (this.written === this.synced) {
      this.release();
      return;
    }
    const upTo = this.written;
    this.syncing = true;
    fdatasync(fd, (error) => {
      if (error) return this.fail(error);
      this.counters.fsyncs++;
      if (!rotated) return this.commitDone(upTo);
      closeSync(fd);
      this.syncDirectoryThen((dirError) => (dirError ? this.fail(dirError) : this.commitDone(upTo)));
    });
  }

  /** The end of a commit: everything up to `upTo` is on disk. */
  private commitDone(upTo: number): void {
    this.syncing = false;
    this.synced = upTo;
    this.release();
    this.onSynced();
    if (this.appended > this.synced || this.waitersHead < this.waiters.length) this.scheduleCommit();
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
    if (this.out.pending === 0) return;
    const chunk = this.out.take();
    let done = 0;
    while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done);
    this.counters.writes++;
    this.counters.bytesWritten += chunk.length;
    this.written += chunk.length;
  }

  private release(): void {
    while (this.waitersHead < this.waiters.length && this.waiters[this.waitersHead].upTo <= this.synced) {
      callWaiter(this.waiters[this.waitersHead++].done);
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
