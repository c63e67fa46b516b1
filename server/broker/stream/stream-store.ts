// What a stream needs from its storage: an append-only log of records with
// increasing offsets (0, 1, 2, ...) and non-decreasing timestamps, kept in
// segments so that retention can drop whole old segments. Two implementations
// share one test suite: MemoryStreamStore (engine, tests, transient use) and
// FileStreamStore (server/store/stream: segment files with a sparse index).
//
// Offsets stay valid for ever: retention moves `firstOffset` forward, it never
// renumbers. A record becomes readable once `readableEnd` passes its offset:
// at once for memory, after the fsync that covers it for files, so a consumer
// never sees a message that a crash could still take back.

import type { MessageProperties } from '../types';

export interface StreamRecord {
  readonly offset: number;
  /** Epoch ms when it was appended (never less than the previous record's). */
  readonly timestamp: number;
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: MessageProperties;
  readonly body: Buffer;
}

export type NewStreamRecord = Omit<StreamRecord, 'offset'>;

export interface StreamLimits {
  /** x-max-age in ms: a segment whose newest record is older is dropped. */
  maxAgeMs: number | null;
  /** x-max-length-bytes: oldest segments are dropped while the stream is larger. */
  maxBytes: number | null;
  /** x-stream-max-segment-size-bytes: a new segment starts past this size. */
  maxSegmentBytes: number;
}

export interface SegmentSummary {
  firstOffset: number;
  /** firstOffset - 1 when the segment is still empty. */
  lastOffset: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  bytes: number;
}

export interface StreamStore {
  /** True when appends reach a disk: publisher confirms then wait for flush(). */
  readonly durable: boolean;
  /** Offset the next append gets. */
  readonly nextOffset: number;
  /** Oldest retained offset; equals nextOffset when nothing is retained. */
  readonly firstOffset: number;
  /** Records below this offset can be read. */
  readonly readableEnd: number;
  /** Bytes of the retained records as stored. */
  readonly bytes: number;
  readonly segmentCount: number;
  /** Timestamp of the newest record, null when empty. */
  readonly lastTimestamp: number | null;

  /** Appends one record and returns its offset. Throws when the store failed or is closed. */
  append(record: NewStreamRecord): number;
  /** Calls `done` once every record appended so far is readable and on disk (group commit). */
  flush(done: (error?: Error) => void): void;
  /** Up to `maxCount` readable records from `offset` (from firstOffset when `offset` is older). */
  read(offset: number, maxCount: number): StreamRecord[];
  /** The first offset whose timestamp is >= `timestamp`; nextOffset when there is none. */
  offsetAt(timestamp: number): number;
  /** Bytes stored from `offset` to the tail (file store: exact to within one index interval). */
  bytesFrom(offset: number): number;
  segments(): SegmentSummary[];
  /** Drops whole segments past the limits (never the newest); returns how many went. */
  applyRetention(now: number): number;
  /** New limits (a policy changed): the segment size applies from the next segment, the others at the next applyRetention. */
  setLimits(limits: StreamLimits): void;

  /** Committed offsets of consumer groups (offset of the last acknowledged record). */
  groupOffsets(): Map<string, number>;
  /** Records a group's committed offset; persisted in batches. */
  commitGroupOffset(group: string, offset: number): void;

  /** Writes and syncs what is pending, then releases files. */
  close(): void;
  /** Deletes the stream's data for good. */
  destroy(): void;
}

/** Opens the stores of a broker's streams, one per (vhost, name). */
export interface StreamStorage {
  readonly durable: boolean;
  /** Opens (or creates) the stream, with what it held before when it exists. */
  open(vhost: string, name: string, limits: StreamLimits): StreamStore;
  /** Closes every store it opened (broker shutdown). */
  close(): void;
}

/**
 * How many of the oldest segments retention drops: while more than one
 * segment remains, the oldest goes when its newest record is older than
 * maxAge, or when the stream is larger than maxBytes.
 */
export function segmentsToDrop(segments: readonly SegmentSummary[], limits: StreamLimits, now: number): number {
  let total = 0;
  for (const s of segments) total += s.bytes;
  let drop = 0;
  while (drop < segments.length - 1) {
    const s = segments[drop]!;
    const tooOld = limits.maxAgeMs !== null && s.lastTimestamp !== null && s.lastTimestamp < now - limits.maxAgeMs;
    const tooBig = limits.maxBytes !== null && total > limits.maxBytes;
    if (!tooOld && !tooBig) break;
    total -= s.bytes;
    drop++;
  }
  return drop;
}

/** Index of the last element of a sorted array that is <= value (-1 when none). */
export function lastAtOrBelow(sorted: ArrayLike<number>, value: number, length = sorted.length): number {
  let lo = 0;
  let hi = length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
