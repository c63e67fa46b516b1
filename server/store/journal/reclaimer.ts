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
// Compaction walks the live index in slices of SLICE_VISITS entries, yielding
// to the event loop between slices. States: idle, or compacting one segment.

import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { segmentFileName } from './format';
import type { LiveIndex, MessageEntry, QueueEntry, QueueState, SegmentInfo } from './live-index';
import type { SegmentWriter } from './segment-writer';

/** Index entries looked at per compaction slice (about a millisecond of work). */
const SLICE_VISITS = 20_000;

/** Writes copies of live records into the current segment (the Journal does this). */
export interface Rewriter {
  rewriteMessage(entry: MessageEntry): void;
  rewriteQueueEntry(queue: QueueState, seq: number, queued: QueueEntry): void;
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

  /** Rewrites the live records of `segment`, pausing every SLICE_VISITS index entries. */
  private *compactionSteps(segment: SegmentInfo): Generator<void> {
    let visits = 0;
    // Map iterators stay valid while entries are added and deleted between slices.
    for (const entry of this.index.messages.values()) {
      if (entry.segment === segment && entry.refs > 0) {
        this.rewriter.rewriteMessage(entry);
        this.counters.recordsRewritten++;
      }
      if (++visits % SLICE_VISITS === 0) yield;
    }
    for (const queue of [...this.index.queues()]) {
      for (const [seq, queued] of queue.messages) {
        if (queued.segment === segment) {
          this.rewriter.rewriteQueueEntry(queue, seq, queued);
          this.counters.recordsRewritten++;
        }
        if (++visits % SLICE_VISITS === 0) yield;
      }
    }
  }
}
