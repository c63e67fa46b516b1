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
import { FORMAT_VERSION, MAX_RECORD_TYPE, RECORD_FRAME_BYTES, RecordType, SEGMENT_HEADER_BYTES, SEGMENT_MAGIC, recordLengthFits } from './format';
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
  /** Where in `buf` the scan stopped: its length, or (part.more) the start of the first record it did not judge. */
  end: number;
}

/**
 * Where `buf` lies in its segment file: from byte `offset` on, and `more`
 * when the file goes on after it. A part that does not end the file is
 * scanned up to the first record that is not whole and valid in it, which is
 * left for the caller to scan again with the bytes after it (records may run
 * past the part's end; damage is judged once the rest of the file is there).
 */
export interface SegmentPart {
  offset: number;
  more: boolean;
}

const WHOLE_FILE: SegmentPart = { offset: 0, more: false };

/**
 * Bytes of decoding and checksumming a resynchronising scan may spend per
 * byte it scans: a real record after damage is found long before, bytes
 * crafted to look like large records at every offset are given up on.
 */
const SCAN_WORK_PER_BYTE = 8;

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
  part: SegmentPart = WHOLE_FILE,
): ScanResult {
  const skipped: SkippedRegion[] = [];
  const skip = (region: SkippedRegion) => {
    if (part.offset !== 0) region.offset += part.offset;
    skipped.push(region);
    onSkip(region);
  };
  const headed = part.offset === 0;
  if (headed && (buf.length < SEGMENT_HEADER_BYTES || !buf.subarray(0, 4).equals(SEGMENT_MAGIC) || buf[4] !== FORMAT_VERSION)) {
    skip({ offset: 0, bytes: buf.length, reason: 'header', detail: `no segment header of format version ${FORMAT_VERSION}` });
    return { records: 0, skipped, end: buf.length };
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
  /**
   * Whether a valid record starts at `at`. Charges the bytes it decodes and
   * checksums to `work`, so that a scan through bytes crafted to look like
   * records at every offset stays linear (see nextValidRecord).
   */
  let work = 0;
  const isValidRecordAt = (at: number): boolean => {
    const end = plausibleFrameEnd(buf, at);
    if (end < 0) return false;
    const start = at + RECORD_FRAME_BYTES;
    work += end - start;
    if (!decodes(start, end)) return false;
    work += end - start;
    return crc32(buf, start, end) === buf.readUInt32BE(at + 4);
  };
  /** The offset of the next valid record from `from`, the end of the file when none, or -1 when the scan gave up. */
  const nextValidRecord = (from: number): number => {
    const budget = work + SCAN_WORK_PER_BYTE * (buf.length - from);
    const last = buf.length - RECORD_FRAME_BYTES - 1;
    for (let at = from; at <= last; at++) {
      if (plausibleFrameEnd(buf, at) < 0) continue; // most offsets end here, cheaply
      if (isValidRecordAt(at)) return at;
      if (work > budget) return -1;
    }
    return buf.length;
  };

  let records = 0;
  let pos = headed ? SEGMENT_HEADER_BYTES : 0;
  while (pos < buf.length) {
    const problem = frameProblem(buf, pos);
    if (problem !== null && part.more) return { records, skipped, end: pos };
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
    const found = intactFrame && (end === buf.length || isValidRecordAt(end)) ? end : nextValidRecord(pos + 1);
    const next = found < 0 ? buf.length : found;
    const torn = next === buf.length && problem.reason !== 'crc' && found >= 0;
    skip({
      offset: pos,
      bytes: next - pos,
      reason: torn ? 'torn' : problem.reason,
      detail: found < 0 ? `${problem.detail}; the rest of the segment looks like records at too many offsets, not scanned` : problem.detail,
      ...(intactFrame && next === end ? { records: 1 } : {}),
    });
    pos = next;
  }
  return { records, skipped, end: pos };
}

/**
 * Where the record framed at `at` would end, or -1 when its type is unknown,
 * its length does not fit the type or the file, or (a MESSAGE) its id is not
 * an id: the checks that cost nothing before decoding and the CRC.
 */
function plausibleFrameEnd(buf: Buffer, at: number): number {
  if (at + RECORD_FRAME_BYTES >= buf.length) return -1;
  const start = at + RECORD_FRAME_BYTES;
  const type = buf[start]!; // checked just above: start < buf.length
  if (type === 0 || type > MAX_RECORD_TYPE) return -1;
  const length = buf.readUInt32BE(at);
  const end = start + length;
  if (!recordLengthFits(type, length) || end > buf.length) return -1;
  // A message id is below 2^53: the top 11 bits of its u64 are zero.
  if (type === RecordType.Message && (buf[start + 1] !== 0 || buf[start + 2]! >= 0x20)) return -1;
  return end;
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
  const type = buf[start]!; // checked above: at least a frame and a type byte
  if (!recordLengthFits(type, length)) return { reason: 'invalid', detail: `record length ${length} does not fit record type ${type}` };
  const end = start + length;
  if (end > buf.length) return { reason: 'invalid', detail: `record of ${length} bytes runs past the end of the file` };
  if (crc32(buf, start, end) !== buf.readUInt32BE(pos + 4)) return { reason: 'crc', detail: 'checksum mismatch' };
  return null;
}
