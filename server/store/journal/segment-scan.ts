// Walks the records of one segment file's bytes, checking each record's
// frame and CRC before decoding it (layout: format.ts). The first bad record
// ends the walk: what follows it in this segment cannot be trusted to start
// on a record boundary, so the rest of the segment is reported as skipped.

import { Reader } from '../../amqp/codec/reader';
import { crc32 } from './crc32';
import { FORMAT_VERSION, MAX_RECORD_BYTES, RECORD_FRAME_BYTES, SEGMENT_HEADER_BYTES, SEGMENT_MAGIC } from './format';
import { RecordDecoder, type RecordVisitor } from './record-codec';

/**
 * Why bytes were skipped: `torn` a record that runs past the end of the file
 * (a write cut short by a crash), `crc` a checksum mismatch, `invalid` an
 * impossible length or a payload that does not decode, `header` not a
 * segment of this format.
 */
export type SkipReason = 'torn' | 'crc' | 'invalid' | 'header';

export interface ScanResult {
  /** Records decoded and applied. */
  records: number;
  /** Set when the walk stopped before the end of the bytes. */
  skipped?: { offset: number; bytes: number; reason: SkipReason; detail: string };
}

export function scanSegment(buf: Buffer, visitor: RecordVisitor, decoder = new RecordDecoder()): ScanResult {
  if (buf.length < SEGMENT_HEADER_BYTES || !buf.subarray(0, 4).equals(SEGMENT_MAGIC) || buf[4] !== FORMAT_VERSION) {
    return { records: 0, skipped: { offset: 0, bytes: buf.length, reason: 'header', detail: 'no segment header of format version 1' } };
  }
  const reader = new Reader();
  let records = 0;
  let pos = SEGMENT_HEADER_BYTES;
  const stop = (reason: SkipReason, detail: string): ScanResult => ({
    records,
    skipped: { offset: pos, bytes: buf.length - pos, reason, detail },
  });
  while (pos < buf.length) {
    if (buf.length - pos < RECORD_FRAME_BYTES + 1) return stop('torn', 'record frame cut short');
    const length = buf.readUInt32BE(pos);
    if (length < 1 || length > MAX_RECORD_BYTES) return stop('invalid', `record length ${length}`);
    const start = pos + RECORD_FRAME_BYTES;
    const end = start + length;
    if (end > buf.length) return stop('torn', `record of ${length} bytes runs past the end of the file`);
    if (crc32(buf, start, end) !== buf.readUInt32BE(pos + 4)) return stop('crc', 'checksum mismatch');
    try {
      decoder.decode(reader.reset(buf, start, end), visitor);
    } catch (error) {
      return stop('invalid', (error as Error).message);
    }
    records++;
    pos = end;
  }
  return { records };
}
