// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of buf[start, end).
// Journal records are mostly small, where a native call on a fresh subarray
// costs more than the checksum itself, so short ranges use a table-driven
// slicing-by-8 loop here (faster than zlib.crc32 for a 21-byte ENQUEUE
// record); from 256 bytes on, zlib's is faster (265 against 310 ns for a
// 300-byte message, the size of most MESSAGE records a replay checks).

import { crc32 as zlibCrc32 } from 'node:zlib';

/** From this length on, zlib's vectorised CRC beats the JavaScript loop. */
const NATIVE_FROM_BYTES = 256;

/** TABLE[k * 256 + n]: CRC of byte n followed by k zero bytes. Every index below is a byte plus k * 256, hence the `!`s. */
const TABLE = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n]!;
  for (let k = 1; k < 8; k++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8);
    TABLE[k * 256 + n] = c;
  }
}

export function crc32(buf: Buffer, start: number, end: number): number {
  if (end - start >= NATIVE_FROM_BYTES) return zlibCrc32(buf.subarray(start, end));
  let c = -1;
  let i = start;
  // Reads of buf stay in [start, end), which the caller has.
  for (; i + 8 <= end; i += 8) {
    const low = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      TABLE[1792 + (low & 0xff)]! ^
      TABLE[1536 + ((low >>> 8) & 0xff)]! ^
      TABLE[1280 + ((low >>> 16) & 0xff)]! ^
      TABLE[1024 + (low >>> 24)]! ^
      TABLE[768 + buf[i + 4]!]! ^
      TABLE[512 + buf[i + 5]!]! ^
      TABLE[256 + buf[i + 6]!]! ^
      TABLE[buf[i + 7]!]!;
  }
  for (; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
