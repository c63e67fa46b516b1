// One segment file of a stream (layout: segment-format.ts) with its sparse
// index in memory. States:
//   pending  created by a rotation, no file yet: records wait in `out`
//            (the file is made only once the previous segment is synced, so
//            a file named N on disk means every record before N is on disk)
//   open     the file exists; records are appended to `out` and written by
//            writePending(); `written` <= `size`
//   sealed   a newer segment exists; read-only
//   deleted  removed by retention or stream deletion; readers must re-seek

import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writer } from '../../amqp/codec/writer';
import {
  INDEX_ENTRY_BYTES,
  INDEX_INTERVAL,
  indexFileName,
  isSegmentHeader,
  RecordDecoder,
  SEGMENT_HEADER_BYTES,
  segmentFileName,
  segmentHeader,
} from './segment-format';

export class StreamSegment {
  /** One past the offset of its last record. */
  nextOffset: number;
  firstTimestamp: number | null = null;
  lastTimestamp: number | null = null;
  /** File bytes including the header and records not yet written. */
  size = SEGMENT_HEADER_BYTES;
  /** Bytes in the file (written with writeSync). */
  written = SEGMENT_HEADER_BYTES;
  deleted = false;
  /** Encoded records not yet written. */
  readonly out = new Writer(64 * 1024);
  /** Sparse index: parallel arrays, one entry per INDEX_INTERVAL bytes. */
  readonly indexOffsets: number[] = [];
  readonly indexTimes: number[] = [];
  readonly indexPositions: number[] = [];
  private indexWritten = 0;
  private lastIndexedAt = -Infinity;
  private fd = -1;

  private constructor(
    private readonly dir: string,
    readonly firstOffset: number,
  ) {
    this.nextOffset = firstOffset;
  }

  /** A new segment whose file is made on the first writePending(). */
  static pending(dir: string, firstOffset: number): StreamSegment {
    return new StreamSegment(dir, firstOffset);
  }

  /**
   * An existing segment. The newest one (`scan`) is read in full with CRC
   * checks and cut after its last whole record (a torn tail from a crash);
   * older ones trust their index file when it is sound, else are scanned.
   */
  static load(dir: string, firstOffset: number, nextSegmentOffset: number | null): StreamSegment {
    const segment = new StreamSegment(dir, firstOffset);
    segment.fd = openSync(segment.path, 'r+');
    const fileSize = fstatSync(segment.fd).size;
    if (nextSegmentOffset === null || !segment.loadIndex(fileSize, nextSegmentOffset)) segment.scan(nextSegmentOffset === null);
    return segment;
  }

  get path(): string {
    return join(this.dir, segmentFileName(this.firstOffset));
  }

  private get indexPath(): string {
    return join(this.dir, indexFileName(this.firstOffset));
  }

  get recordCount(): number {
    return this.nextOffset - this.firstOffset;
  }

  get hasFile(): boolean {
    return this.fd >= 0;
  }

  /** Notes a record just encoded into `out`. */
  recordAppended(offset: number, timestamp: number, size: number): void {
    this.noteRecord(offset, timestamp, this.size);
    this.size += size;
  }

  /** Writes `out` and the new index entries to their files, creating the segment file when needed. */
  writePending(): boolean {
    if (this.fd < 0) {
      this.fd = openSync(this.path, 'w+');
      writeSync(this.fd, segmentHeader());
      writeFileSync(this.indexPath, '');
    }
    if (this.out.pending > 0) {
      const bytes = this.out.take();
      writeSync(this.fd, bytes, 0, bytes.length, this.written);
      this.written += bytes.length;
      this.writeIndex();
      return true;
    }
    return false;
  }

  syncNow(): void {
    if (this.fd >= 0) fdatasyncSync(this.fd);
  }

  /** The file descriptor, for an asynchronous fdatasync. */
  get descriptor(): number {
    return this.fd;
  }

  /** Up to `length` bytes of the file from `position`. */
  readAt(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.written - position)));
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  remove(): void {
    this.close();
    this.deleted = true;
    rmSync(this.path, { force: true });
    rmSync(this.indexPath, { force: true });
  }

  private noteRecord(offset: number, timestamp: number, position: number): void {
    if (this.firstTimestamp === null) this.firstTimestamp = timestamp;
    this.lastTimestamp = timestamp;
    this.nextOffset = offset + 1;
    if (position - this.lastIndexedAt >= INDEX_INTERVAL) {
      this.indexOffsets.push(offset);
      this.indexTimes.push(timestamp);
      this.indexPositions.push(position);
      this.lastIndexedAt = position;
    }
  }

  private writeIndex(): void {
    const count = this.indexOffsets.length - this.indexWritten;
    if (count <= 0) return;
    const buf = Buffer.allocUnsafe(count * INDEX_ENTRY_BYTES);
    for (let i = 0; i < count; i++) {
      const e = this.indexWritten + i;
      buf.writeDoubleBE(this.indexOffsets[e]!, i * INDEX_ENTRY_BYTES); // e < indexOffsets.length, as for the other columns
      buf.writeDoubleBE(this.indexTimes[e]!, i * INDEX_ENTRY_BYTES + 8);
      buf.writeDoubleBE(this.indexPositions[e]!, i * INDEX_ENTRY_BYTES + 16);
    }
    const fd = openSync(this.indexPath, 'a');
    try {
      writeSync(fd, buf);
    } finally {
      closeSync(fd);
    }
    this.indexWritten += count;
  }

  /** Loads the index file of a sealed segment; false when it is missing or does not fit the segment. */
  private loadIndex(fileSize: number, nextSegmentOffset: number): boolean {
    let buf: Buffer;
    try {
      buf = readFileSync(this.indexPath);
    } catch {
      return false;
    }
    const count = Math.floor(buf.length / INDEX_ENTRY_BYTES);
    if (count === 0 || buf.readDoubleBE(0) !== this.firstOffset) return false;
    let previous = -1;
    for (let i = 0; i < count; i++) {
      const offset = buf.readDoubleBE(i * INDEX_ENTRY_BYTES);
      const position = buf.readDoubleBE(i * INDEX_ENTRY_BYTES + 16);
      if (offset >= nextSegmentOffset || position <= previous || position >= fileSize) return false;
      previous = position;
      this.indexOffsets.push(offset);
      this.indexTimes.push(buf.readDoubleBE(i * INDEX_ENTRY_BYTES + 8));
      this.indexPositions.push(position);
    }
    this.indexWritten = count;
    this.lastIndexedAt = previous;
    this.firstTimestamp = this.indexTimes[0]!; // count > 0
    this.size = this.written = fileSize;
    this.nextOffset = nextSegmentOffset;
    // The newest timestamp: read the records after the last index entry (at most one interval).
    const tail = this.readAt(previous, fileSize - previous);
    const decoder = new RecordDecoder();
    for (let pos = 0; ; ) {
      const record = decoder.decode(tail, pos, false);
      if (record === null || record === 'damaged') break;
      this.lastTimestamp = record.timestamp;
      pos += decoder.size;
    }
    return this.lastTimestamp !== null;
  }

  /** Reads the whole file, rebuilds the index, and (newest segment) cuts a torn or damaged tail. */
  private scan(cutTail: boolean): void {
    const buf = readFileSync(this.path);
    this.indexOffsets.length = this.indexTimes.length = this.indexPositions.length = 0;
    this.lastIndexedAt = -Infinity;
    let pos = SEGMENT_HEADER_BYTES;
    if (isSegmentHeader(buf)) {
      const decoder = new RecordDecoder();
      let expected = this.firstOffset;
      for (;;) {
        const record = decoder.decode(buf, pos, true);
        if (record === null || record === 'damaged' || record.offset !== expected) break;
        this.noteRecord(record.offset, record.timestamp, pos);
        pos += decoder.size;
        expected++;
      }
    } else {
      // Crashed while the file was being created: start it again.
      ftruncateSync(this.fd, 0);
      writeSync(this.fd, segmentHeader(), 0, SEGMENT_HEADER_BYTES, 0);
    }
    if (cutTail && pos < buf.length) ftruncateSync(this.fd, pos);
    this.size = this.written = pos;
    writeFileSync(this.indexPath, '');
    this.indexWritten = 0;
    this.writeIndex();
  }
}
