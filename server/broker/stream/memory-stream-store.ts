// A stream kept in memory, for tests and brokers without a data directory.
// Segments are arrays of records; a new one starts when the current one
// passes maxSegmentBytes, so retention behaves as with files. Nothing is
// durable: every record is readable as soon as it is appended.

import {
  segmentsToDrop,
  type NewStreamRecord,
  type SegmentSummary,
  type StreamLimits,
  type StreamRecord,
  type StreamStorage,
  type StreamStore,
} from './stream-store';

/** Bytes a record is counted for: its body and names plus a fixed overhead for offset, time and properties. */
const RECORD_OVERHEAD = 32;

interface MemorySegment {
  firstOffset: number;
  records: StreamRecord[];
  /** Bytes of the segment before each record: starts[i] for records[i]. */
  starts: number[];
  bytes: number;
}

export class MemoryStreamStore implements StreamStore {
  readonly durable = false;
  nextOffset = 0;
  /** Never empty: retention keeps the last segment and destroy() leaves an empty one. */
  private segmentList: MemorySegment[] = [];
  private totalBytes = 0;
  private readonly groups = new Map<string, number>();

  constructor(
    private limits: StreamLimits,
    /** Called after destroy(), so a storage can forget the store. */
    private readonly onDestroy: () => void = () => {},
  ) {
    this.segmentList.push(emptySegment(0));
  }

  get firstOffset(): number {
    return this.segmentList[0]!.firstOffset;
  }

  get readableEnd(): number {
    return this.nextOffset;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get segmentCount(): number {
    return this.segmentList.length;
  }

  get lastTimestamp(): number | null {
    const records = this.segmentList.at(-1)!.records;
    return records.at(-1)?.timestamp ?? this.previousTimestamp();
  }

  append(record: NewStreamRecord): number {
    let segment = this.segmentList.at(-1)!;
    if (segment.records.length > 0 && segment.bytes >= this.limits.maxSegmentBytes) {
      segment = emptySegment(this.nextOffset);
      this.segmentList.push(segment);
    }
    const last = this.lastTimestamp;
    const offset = this.nextOffset++;
    const timestamp = last !== null && record.timestamp < last ? last : record.timestamp;
    const size = RECORD_OVERHEAD + record.exchange.length + record.routingKey.length + record.body.length;
    segment.records.push({ ...record, offset, timestamp });
    segment.starts.push(segment.bytes);
    segment.bytes += size;
    this.totalBytes += size;
    return offset;
  }

  flush(done: (error?: Error) => void): void {
    done();
  }

  read(offset: number, maxCount: number): StreamRecord[] {
    const out: StreamRecord[] = [];
    let at = Math.max(offset, this.firstOffset);
    let s = this.segmentIndex(at);
    while (s < this.segmentList.length && out.length < maxCount && at < this.nextOffset) {
      const segment = this.segmentList[s]!;
      const record = segment.records[at - segment.firstOffset];
      if (record === undefined) {
        s++;
        continue;
      }
      out.push(record);
      at++;
    }
    return out;
  }

  offsetAt(timestamp: number): number {
    for (const segment of this.segmentList) {
      const records = segment.records;
      const last = records.at(-1);
      if (last === undefined || last.timestamp < timestamp) continue;
      let lo = 0;
      let hi = records.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (records[mid]!.timestamp >= timestamp) hi = mid;
        else lo = mid + 1;
      }
      return records[lo]!.offset;
    }
    return this.nextOffset;
  }

  bytesFrom(offset: number): number {
    const at = Math.max(offset, this.firstOffset);
    if (at >= this.nextOffset) return 0;
    const s = this.segmentIndex(at);
    const segment = this.segmentList[s]!;
    let bytes = segment.bytes - segment.starts[at - segment.firstOffset]!; // at is in this segment
    for (let i = s + 1; i < this.segmentList.length; i++) bytes += this.segmentList[i]!.bytes;
    return bytes;
  }

  segments(): SegmentSummary[] {
    return this.segmentList.map((s) => ({
      firstOffset: s.firstOffset,
      lastOffset: s.firstOffset + s.records.length - 1,
      firstTimestamp: s.records[0]?.timestamp ?? null,
      lastTimestamp: s.records.at(-1)?.timestamp ?? null,
      bytes: s.bytes,
    }));
  }

  setLimits(limits: StreamLimits): void {
    this.limits = limits;
  }

  applyRetention(now: number): number {
    const drop = segmentsToDrop(this.segments(), this.limits, now);
    for (const segment of this.segmentList.splice(0, drop)) this.totalBytes -= segment.bytes;
    return drop;
  }

  groupOffsets(): Map<string, number> {
    return new Map(this.groups);
  }

  commitGroupOffset(group: string, offset: number): void {
    this.groups.set(group, offset);
  }

  close(): void {}

  destroy(): void {
    this.segmentList = [emptySegment(this.nextOffset)];
    this.totalBytes = 0;
    this.groups.clear();
    this.onDestroy();
  }

  private segmentIndex(offset: number): number {
    const list = this.segmentList;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (list[mid]!.firstOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Timestamp of the newest record when the last segment is still empty. */
  private previousTimestamp(): number | null {
    for (let i = this.segmentList.length - 2; i >= 0; i--) {
      const last = this.segmentList[i]!.records.at(-1);
      if (last !== undefined) return last.timestamp;
    }
    return null;
  }
}

function emptySegment(firstOffset: number): MemorySegment {
  return { firstOffset, records: [], starts: [], bytes: 0 };
}

/** Memory streams by (vhost, name). Reopening a name gives the same store until it is destroyed. */
export class MemoryStreamStorage implements StreamStorage {
  readonly durable = false;
  private readonly stores = new Map<string, MemoryStreamStore>();

  open(vhost: string, name: string, limits: StreamLimits): StreamStore {
    const key = `${vhost}\u0000${name}`;
    let store = this.stores.get(key);
    if (!store) {
      store = new MemoryStreamStore(limits, () => this.stores.delete(key));
      this.stores.set(key, store);
    }
    return store;
  }

  close(): void {}
}
