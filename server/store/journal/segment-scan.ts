// Walks the records of one segment file's bytes, checking each record's
// frame and CRC before decoding it (layout: format.ts).
//
// Damage does not end the walk. After a bad frame the walk resynchronises on
// the next valid record and goes on, so that one flipped byte costs the
// records it hit, not the rest of the segment:
//
// 1. When only the CRC is wrong and the record still decodes as its type
//    (for a MESSAGE that means its inner lengths add up to the frame's, which
//    a damaged frame length would break), the damage is inside that record:
//    if a valid record starts right after it (or the file ends there), only
//    that record is skipped, without looking inside it.
// 2. Otherwise the length itself may be damaged: every later offset is tried
//    until one holds a valid record.
//
// A valid record is one whose length fits its type (format.ts), that lies
// inside the file, that decodes as its type without bytes left over, and
// whose CRC-32 matches. The structural checks come before the CRC so that a
// scan through large garbage costs little; the CRC is what keeps bytes that
// merely look like a record (a fragment of a body, say) from being taken for
// one. What remains possible is a crafted message body holding complete,
// CRC-valid records, taken for records only when damage makes the scan start
// inside it; that needs both the damage and the body, and is not defended.
//
// A torn tail is not damage: a write cut short by a crash leaves a last
// record that runs past the end of the file (or a frame cut short, or
// bytes that are no frame), with nothing valid after it. Those bytes are
// reported as skipped with reason `torn`, as a normal part of recovering
// from a crash. A complete record with a bad CRC is damage even at the end:
// a process crash never leaves one.

import { Reader } from '../../amqp/codec/reader';
import { crc32 } from './crc32';
import { FORMAT_VERSION, RECORD_FRAME_BYTES, SEGMENT_HEADER_BYTES, SEGMENT_MAGIC, recordLengthFits } from './format';
import { RecordDecoder, type RecordVisitor } from './record-codec';

/**
 * Why bytes were skipped: `torn` the end of a segment left by a crash
 * mid-write (normal); damage: `crc` a checksum mismatch, `invalid` an
 * impossible frame or a record that cannot be decoded or applied, `header`
 * not a segment of this format.
 */
export type SkipReason = 'torn' | 'crc' | 'invalid' | 'header';

export interface SkippedRegion {
  offset: number;
  bytes: number;
  reason: SkipReason;
  detail: string;
  /** Records in the region, when known (the damaged record's length was intact): 1. */
  records?: number;
}

export interface ScanResult {
  /** Records decoded and applied. */
  records: number;
  /** Regions that could not be read, in file order. */
  skipped: SkippedRegion[];
}

/** Decodes a candidate record without applying it. */
const IGNORE: RecordVisitor = {
  queueName() {},
  message() {},
  enqueue() {},
  remove() {},
  move() {},
  dropQueue() {},
  delivered() {},
};

/**
 * `onSkip` is called for each skipped region as it is found, in order with
 * the visitor's calls (replay notes what was just before the damage).
 */
export function scanSegment(
  buf: Buffer,
  visitor: RecordVisitor,
  decoder = new RecordDecoder(),
  onSkip: (region: SkippedRegion) => void = () => {},
): ScanResult {
  const skipped: SkippedRegion[] = [];
  const skip = (region: SkippedRegion) => {
    skipped.push(region);
    onSkip(region);
  };
  if (buf.length < SEGMENT_HEADER_BYTES || !buf.subarray(0, 4).equals(SEGMENT_MAGIC) || buf[4] !== FORMAT_VERSION) {
    skip({ offset: 0, bytes: buf.length, reason: 'header', detail: `no segment header of format version ${FORMAT_VERSION}` });
    return { records: 0, skipped };
  }
  const reader = new Reader();
  /** Whether the bytes from `start` to `end` decode as a record (CRC not checked). */
  const decodes = (start: number, end: number): boolean => {
    try {
      decoder.decode(reader.reset(buf, start, end), IGNORE);
      return true;
    } catch {
      return false;
    }
  };
  const isValidRecordAt = (at: number): boolean => {
    if (buf.length - at < RECORD_FRAME_BYTES + 1) return false;
    const length = buf.readUInt32BE(at);
    const start = at + RECORD_FRAME_BYTES;
    const end = start + length;
    if (!recordLengthFits(buf[start], length) || end > buf.length || !decodes(start, end)) return false;
    return crc32(buf, start, end) === buf.readUInt32BE(at + 4);
  };
  const nextValidRecord = (from: number): number => {
    for (let at = from; at < buf.length; at++) if (isValidRecordAt(at)) return at;
    return buf.length;
  };

  let records = 0;
  let pos = SEGMENT_HEADER_BYTES;
  while (pos < buf.length) {
    const problem = frameProblem(buf, pos);
    const length = buf.length - pos >= 4 ? buf.readUInt32BE(pos) : 0;
    const end = pos + RECORD_FRAME_BYTES + length;
    if (problem === null) {
      try {
        decoder.decode(reader.reset(buf, pos + RECORD_FRAME_BYTES, end), visitor);
        records++;
      } catch (error) {
        // CRC-valid, so its bytes are as written: the record is lost on its own (e.g. its queue's name was in damaged bytes).
        skip({ offset: pos, bytes: end - pos, reason: 'invalid', detail: (error as Error).message, records: 1 });
      }
      pos = end;
      continue;
    }
    // Resynchronise: the next offset holding a valid record, or the end of the file.
    const intactFrame = problem.reason === 'crc' && decodes(pos + RECORD_FRAME_BYTES, end);
    const next = intactFrame && (end === buf.length || isValidRecordAt(end)) ? end : nextValidRecord(pos + 1);
    const torn = next === buf.length && problem.reason !== 'crc';
    skip({
      offset: pos,
      bytes: next - pos,
      reason: torn ? 'torn' : problem.reason,
      detail: problem.detail,
      ...(intactFrame && next === end ? { records: 1 } : {}),
    });
    pos = next;
  }
  return { records, skipped };
}

/**
 * What is wrong with the frame at `pos`, or null for a frame that fits its
 * type, lies inside the file and matches its CRC. `crc` means complete but
 * with a checksum mismatch; `invalid` anything else.
 */
function frameProblem(buf: Buffer, pos: number): { reason: 'crc' | 'invalid'; detail: string } | null {
  if (buf.length - pos < RECORD_FRAME_BYTES + 1) return { reason: 'invalid', detail: 'record frame cut short' };
  const length = buf.readUInt32BE(pos);
  const start = pos + RECORD_FRAME_BYTES;
  const type = buf[start];
  if (!recordLengthFits(type, length)) return { reason: 'invalid', detail: `record length ${length} does not fit record type ${type}` };
  const end = start + length;
  if (end > buf.length) return { reason: 'invalid', detail: `record of ${length} bytes runs past the end of the file` };
  if (crc32(buf, start, end) !== buf.readUInt32BE(pos + 4)) return { reason: 'crc', detail: 'checksum mismatch' };
  return null;
}
