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
// Compaction walks the live index in slices of SLICE_VISITS rows, yielding
// to the event loop between slices. States: idle, or compacting one segment.

import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { segmentFileName } from './format';
import type { LiveIndex, SegmentInfo } from './live-index';
import type { SegmentWriter } from './segment-writer';

/** Index rows looked at per compaction slice (well under a millisecond unless many are rewritten). */
const SLICE_VISITS = 20_000;

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
    this.deleteDeadSegments();
    if (!this.compacting && this.shouldCompact()) this.startCompaction(this.index.segments[0]);
  }

  stop(): void {
    this.stopped = true;
  }

  private deleteDeadSegments(): void {
    let deleted = 0;
    while (this.index.segments.length > 1) {
      const oldest = this.index.segments[0];
      if (oldest === this.writer.current || oldest.liveRecords > 0) break;
      oldest.deadAt ??= this.writer.appendedBytes;
      if (this.writer.syncedBytes < oldest.deadAt) break; // the next sync comes back here
      this.index.removeOldestSegment();
      unlinkSync(join(this.dir, segmentFileName(oldest.no)));
      deleted++;
    }
    if (deleted > 0) {
      this.counters.segmentsDeleted += deleted;
      this.writer.syncDirectory();
    }
  }

  private shouldCompact(): boolean {
    const oldest = this.index.segments[0];
    return (
      oldest !== this.writer.current &&
      oldest.liveRecords > 0 &&
      this.index.diskBytes > this.policy.factor * this.index.liveBytes + this.policy.slackBytes
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

  /** Rewrites the live records of `segment`, pausing every SLICE_VISITS index rows. */
  private *compactionSteps(segment: SegmentInfo): Generator<void> {
    let visits = 0;
    // Rows freed or reused between slices belong to newer segments by then, so they are skipped.
    for (let row = 0; row < this.index.messageRowCount; row++) {
      if (this.index.messageHeldIn(row, segment)) {
        this.rewriter.rewriteMessage(row);
        this.counters.recordsRewritten++;
      }
      if (++visits % SLICE_VISITS === 0) yield;
    }
    for (let entry = 0; entry < this.index.entryRowCount; entry++) {
      if (this.index.entryIn(entry, segment)) {
        this.rewriter.rewriteEntry(entry);
        this.counters.recordsRewritten++;
      }
      if (++visits % SLICE_VISITS === 0) yield;
    }
  }
}
