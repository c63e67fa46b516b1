// The files of one stream, in <streams>/<vhost>/<name>/:
//
//   00000000000000000000.seg   records from offset 0 (name = first offset, 20 digits)
//   00000000000000052311.seg   the next segment, and so on; the last one is written
//   00000000000000000000.idx   sparse index of the segment of the same name
//   groups.json                committed offsets of consumer groups {"name": offset}
//
// A segment starts with an 8-byte header, "WRNS" and the format version
// (u32), followed by records, all integers big-endian:
//
//   +0  u32  length L of the payload
//   +4  u32  CRC-32 of the payload
//   +8  payload: u64 offset, u64 timestamp (epoch ms), shortstr exchange,
//       shortstr routing key, u32 length of the properties, AMQP basic
//       properties (content-header encoding), then the body up to the end
//       of the payload.
//
// An index entry (24 bytes: f64 offset, f64 timestamp, f64 file position)
// is written for the first record of a segment and then whenever
// INDEX_INTERVAL bytes have passed since the last entry. Timestamps never
// decrease, so the one index serves lookups by offset and by time: a binary
// search finds the entry at or before the target, and at most one interval
// is read forward from there. Index files are a cache: a missing or damaged
// one is rebuilt from its segment.

import { Reader } from '../../amqp/codec/reader';
import type { Writer } from '../../amqp/codec/writer';
import type { NewStreamRecord, StreamRecord } from '../../broker/stream/stream-store';
import { EnvelopeDecoder, writeEnvelope } from '../envelope';
import { crc32 } from '../journal/crc32';

export const SEGMENT_MAGIC = 'WRNS';
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 8;
export const RECORD_FRAME_BYTES = 8;
export const INDEX_ENTRY_BYTES = 24;
export const INDEX_INTERVAL = 4096;
/** Bigger than any record Warren accepts: a length past it marks a damaged record. */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;
/** offset, timestamp, two empty short strings, properties length and flags. */
const MIN_PAYLOAD_BYTES = 8 + 8 + 1 + 1 + 4 + 2;
export const GROUPS_FILE = 'groups.json';

export function segmentHeader(): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  header.write(SEGMENT_MAGIC, 0, 'latin1');
  header.writeUInt32BE(SEGMENT_VERSION, 4);
  return header;
}

export function isSegmentHeader(buf: Buffer): boolean {
  return buf.length >= SEGMENT_HEADER_BYTES && buf.toString('latin1', 0, 4) === SEGMENT_MAGIC && buf.readUInt32BE(4) === SEGMENT_VERSION;
}

export function segmentFileName(firstOffset: number): string {
  return `${String(firstOffset).padStart(20, '0')}.seg`;
}

export function indexFileName(firstOffset: number): string {
  return `${String(firstOffset).padStart(20, '0')}.idx`;
}

/** First offset of a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{20})\.seg$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Appends one framed record to `w`; returns its size on disk. */
export function encodeRecord(w: Writer, offset: number, record: NewStreamRecord): number {
  // Marks are logical positions: they stay valid when ensure() moves the bytes to a bigger buffer.
  const mark = w.mark();
  w.ensure(RECORD_FRAME_BYTES);
  w.pos += RECORD_FRAME_BYTES;
  try {
    w.longlong(offset);
    w.longlong(record.timestamp);
    writeEnvelope(w, record.exchange, record.routingKey, record.properties);
    w.bytes(record.body);
  } catch (error) {
    w.pos -= w.mark() - mark; // nothing half-written stays in the buffer
    throw error;
  }
  const size = w.mark() - mark;
  const begin = w.pos - size;
  w.buf.writeUInt32BE(size - RECORD_FRAME_BYTES, begin);
  w.buf.writeUInt32BE(crc32(w.buf, begin + RECORD_FRAME_BYTES, w.pos) >>> 0, begin + 4);
  return size;
}

/**
 * Decodes records. Exchange names, routing keys and property lists repeat
 * from record to record: they are decoded once and shared (the engine never
 * changes a message's fields), which makes reading mostly a matter of slicing.
 */
export class RecordDecoder {
  /** Size on disk of the record decode() returned last. */
  size = 0;
  private readonly reader = new Reader();
  private readonly envelope = new EnvelopeDecoder();

  /**
   * The record at buf[pos]; null when the buffer ends before it does.
   * `checkCrc` is used when scanning a segment that may have a torn tail;
   * reads of records already scanned or written by this process skip it.
   */
  decode(buf: Buffer, pos: number, checkCrc: boolean): StreamRecord | null | 'damaged' {
    if (pos + RECORD_FRAME_BYTES > buf.length) return null;
    const length = buf.readUInt32BE(pos);
    if (length > MAX_RECORD_BYTES || length < MIN_PAYLOAD_BYTES) return 'damaged';
    const end = pos + RECORD_FRAME_BYTES + length;
    if (end > buf.length) return null;
    if (checkCrc && crc32(buf, pos + RECORD_FRAME_BYTES, end) >>> 0 !== buf.readUInt32BE(pos + 4)) return 'damaged';
    const r = this.reader.reset(buf, pos + RECORD_FRAME_BYTES, end);
    try {
      const offset = r.longlong();
      const timestamp = r.longlong();
      const exchange = this.envelope.shortstr(r);
      const routingKey = this.envelope.shortstr(r);
      const properties = this.envelope.messageProperties(r);
      this.size = end - pos;
      return { offset, timestamp, exchange, routingKey, properties, body: buf.subarray(r.pos, end) };
    } catch {
      return 'damaged';
    }
  }
}
