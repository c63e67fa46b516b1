/**
 * Append-only output buffer for frames.
 *
 * Layout of `buf`:
 *   [0, flushedUpTo)    already handed out by take(); never touched again
 *                       (the socket may still be sending it)
 *   [flushedUpTo, pos)  encoded, not yet taken
 *   [pos, buf.length)   free
 * When free space runs out, the untaken region moves to a fresh buffer,
 * each one twice the size of the last up to MAX_SLAB (so that an idle
 * connection holds a small buffer and a busy one few large ones). Positions
 * that must be patched later (frame sizes) are "marks": logical offsets that
 * stay valid across such a move.
 */
const MAX_SLAB = 256 * 1024;
/** Short strings up to this length are tried as ASCII first (see asciiShortstr). */
const ASCII_COPY_LIMIT = 64;

export class Writer {
  buf: Buffer;
  pos = 0;
  private flushedUpTo = 0;
  /** Logical offset of buf[0]. */
  private origin = 0;
  private slabSize: number;

  constructor(initialSize = 4096) {
    this.slabSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes encoded and not yet taken. */
  get pending(): number {
    return this.pos - this.flushedUpTo;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const live = this.pos - this.flushedUpTo;
    this.slabSize = Math.min(MAX_SLAB, this.slabSize * 2);
    const next = Buffer.allocUnsafe(Math.max(this.slabSize, (live + n) * 2));
    this.buf.copy(next, 0, this.flushedUpTo, this.pos);
    this.origin += this.flushedUpTo;
    this.buf = next;
    this.pos = live;
    this.flushedUpTo = 0;
  }

  /** Everything encoded since the last take(), as a view; the region is never reused. */
  take(): Buffer {
    const out = this.buf.subarray(this.flushedUpTo, this.pos);
    this.flushedUpTo = this.pos;
    return out;
  }

  mark(): number {
    return this.origin + this.pos;
  }

  patchLong(mark: number, value: number): void {
    this.buf.writeUInt32BE(value, mark - this.origin);
  }

  octet(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos++);
  }

  short(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  long(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  longlong(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / 0x1_0000_0000);
    this.buf.writeUInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * 0x1_0000_0000, this.pos + 4);
    this.pos += 8;
  }

  int64(v: bigint): void {
    this.ensure(8);
    const n = Number(v);
    if (Number.isSafeInteger(n)) {
      // Two 32-bit halves of a number: Buffer's BigInt writer costs several BigInt operations.
      const hi = Math.floor(n / 0x1_0000_0000);
      this.buf.writeInt32BE(hi, this.pos);
      this.buf.writeUInt32BE(n - hi * 0x1_0000_0000, this.pos + 4);
    } else {
      this.buf.writeBigInt64BE(v, this.pos);
    }
    this.pos += 8;
  }

  uint64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.pos);
    this.pos += 8;
  }

  float(v: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  shortstr(s: string): void {
    if (s.length <= ASCII_COPY_LIMIT && this.asciiShortstr(s)) return;
    const len = Buffer.byteLength(s);
    if (len > 255) throw new RangeError(`short string longer than 255 bytes: ${s.slice(0, 40)}...`);
    this.ensure(1 + len);
    this.buf[this.pos++] = len;
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /**
   * Names, tags and keys are mostly short ASCII: copied char by char they
   * cost less than measuring and encoding them through Buffer. Returns false,
   * having written nothing, at the first non-ASCII char.
   */
  private asciiShortstr(s: string): boolean {
    const n = s.length;
    this.ensure(1 + n);
    const buf = this.buf;
    const start = this.pos + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[start + i] = c;
    }
    buf[this.pos] = n;
    this.pos = start + n;
    return true;
  }

  longstr(s: string | Buffer): void {
    if (typeof s === 'string') {
      const len = Buffer.byteLength(s);
      this.long(len);
      this.ensure(len);
      this.pos += this.buf.write(s, this.pos, 'utf8');
    } else {
      this.long(s.length);
      this.bytes(s);
    }
  }

  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
}

/**
 * A reply text that fits a short string: RabbitMQ's texts name queues and
 * exchanges, whose names alone may take 255 bytes, so a long one is cut on a
 * character boundary and marked with an ellipsis rather than failing to encode.
 */
export function fitShortString(text: string): string {
  if (Buffer.byteLength(text) <= 255) return text;
  let cut = text.slice(0, 252);
  while (Buffer.byteLength(cut) > 252) cut = cut.slice(0, -1);
  return `${cut}...`;
}
