// Gives disk space back, after every completed sync:
//
// 1. Deletes the oldest segments while they hold no live record (never the
//    current one), once the records that made them dead are synced.
// 2. When the journal's files exceed `factor` × live bytes + `slackBytes`,
//    compacts the oldest segment: its live MESSAGE and ENQUEUE records are
//    rewritten into the current segment, which leaves it dead for step 1.
//
// Only the oldest segment is ever deleted or compacted, so a REMOVE record
// is never deleted before the ENQUEUE it cancels (see format.ts).
// Compaction walks the live index in slices (SLICE_WORK), yielding to the
// event loop between them. States: idle, or compacting one segment.
// A failure to delete a file is kept in `reclaimError` and retried after the
// next sync: it must not throw out of the sync callback.

import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { segmentFileName } from './format';
import type { LiveIndex, SegmentInfo } from './live-index';
import type { SegmentWriter } from './segment-writer';

/** Work per compaction slice: looking at an index row costs 1, rewriting a record REWRITE_COST (a few ms in all). */
const SLICE_WORK = 20_000;
const REWRITE_COST = 10;

/** Writes copies of live records into the current segment (the Journal does this). */
export interface Rewriter {
  /** Rewrites the MESSAGE record of a message row. */
  rewriteMessage(row: number): void;
  /** Rewrites the ENQUEUE record of a queue entry row. */
  rewriteEntry(entry: number): void;
}

export interface CompactionPolicy {
  /** Compact when disk bytes exceed factor × live bytes + slackBytes. */
  factor: number;
  slackBytes: number;
}

export interface ReclaimCounters {
  segmentsDeleted: number;
  compactions: number;
  recordsRewritten: number;
  /** The last error met while deleting segments, if any. */
  reclaimError?: string;
}

export class Reclaimer {
  readonly counters: ReclaimCounters = { segmentsDeleted: 0, compactions: 0, recordsRewritten: 0 };
  private compacting: SegmentInfo | undefined;
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly index: LiveIndex,
    private readonly writer: SegmentWriter,
    private readonly rewriter: Rewriter,
    private readonly policy: CompactionPolicy,
  ) {}

  afterSync(): void {
    if (this.stopped) return;
    try {
      this.deleteDeadSegments();
    } catch (error) {
      this.counters.reclaimError = (error as Error).message;
    }
    if (!this.compacting && this.shouldCompact()) this.startCompaction(this.index.segments[0]!);
  }

  stop(): void {
    this.stopped = true;
  }

  private deleteDeadSegments(): void {
    while (this.index.segments.length > 1) {
      const oldest = this.index.segments[0]!;
      if (oldest === this.writer.current || oldest.liveRecords > 0) break;
      oldest.deadAt ??= this.writer.appendedBytes;
      if (this.writer.syncedBytes < oldest.deadAt) break; // the next sync comes back here
      try {
        unlinkSync(join(this.dir, segmentFileName(oldest.no)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      this.index.removeOldestSegment();
      this.counters.segmentsDeleted++;
    }
    // No directory sync here: should an unlink be lost with the power, the
    // segment reappears together with every newer one deleted after it, and
    // the next rotation's directory sync makes deletions durable anyway.
  }

  private shouldCompact(): boolean {
    const oldest = this.index.segments[0]!; // never empty: the segment being written is in it
    return (
      oldest !== this.writer.current && oldest.liveRecords > 0 && this.index.diskBytes > this.policy.factor * this.index.liveBytes + this.policy.slackBytes
    );
  }

  private startCompaction(segment: SegmentInfo): void {
    this.compacting = segment;
    const steps = this.compactionSteps(segment);
    const run = (): void => {
      if (this.stopped) return;
      if (!steps.next().done) {
        setImmediate(run);
        return;
      }
      // The copies reach the disk with the next sync; afterSync then deletes the segment.
      this.compacting = undefined;
      this.counters.compactions++;
    };
    run();
  }

  /** Rewrites the live records of `segment`, pausing after every SLICE_WORK of work. */
  private *compactionSteps(segment: SegmentInfo): Generator<void> {
    let work = 0;
    // Rows freed or reused between slices belong to newer segments by then, so they are skipped.
    for (let row = 0; row < this.index.messageRowCount; row++) {
      work++;
      if (this.index.messageHeldIn(row, segment)) {
        this.rewriter.rewriteMessage(row);
        this.counters.recordsRewritten++;
        work += REWRITE_COST;
      }
      if (work >= SLICE_WORK) {
        work = 0;
        yield;
      }
    }
    for (let entry = 0; entry < this.index.entryRowCount; entry++) {
      work++;
      if (this.index.entryIn(entry, segment)) {
        this.rewriter.rewriteEntry(entry);
        this.counters.recordsRewritten++;
        work += REWRITE_COST;
      }
      if (work >= SLICE_WORK) {
        work = 0;
        yield;
      }
    }
  }
}
