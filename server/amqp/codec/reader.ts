import { isUtf8 } from 'node:buffer';
import { FieldValueError, syntaxError } from './errors';

/** Short strings up to this many bytes are remembered (see memoHolds). */
const MEMO_LIMIT = 64;

/**
 * Cursor over one frame payload: [pos, end) of buf. Every read is bounds
 * checked against `end` (not buf.length, which may hold further frames) and a
 * short read throws a CodecError 502 SYNTAX_ERROR. One Reader is reused per
 * connection through reset(), so decoding allocates only the decoded values.
 */
export class Reader {
  private memo = '';
  private readonly memoBytes = Buffer.alloc(MEMO_LIMIT);
  private memoLength = -1;

  constructor(
    public buf: Buffer = Buffer.alloc(0),
    public pos = 0,
    public end = buf.length,
  ) {}

  reset(buf: Buffer, pos: number, end: number): this {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw syntaxError('frame payload too short');
  }

  octet(): number {
    this.need(1);
    return this.buf[this.pos++]!; // need(1): pos < end <= buf.length
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  short(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  long(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit as a number: exact up to 2^53, which delivery tags and timestamps never pass. */
  longlong(): number {
    this.need(8);
    const v = this.buf.readUInt32BE(this.pos) * 0x1_0000_0000 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  uint64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.buf.readFloatBE(this.pos);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * A short string must be UTF-8 (as RabbitMQ requires of names): decoding
   * other bytes would put U+FFFD in their place and make a string that no
   * longer fits in 255 bytes when sent back. Invalid bytes always decode to
   * U+FFFD, so only strings holding one are checked byte by byte.
   */
  shortstr(): string {
    const len = this.octet();
    if (len === 0) return '';
    this.need(len);
    const start = this.pos;
    this.pos += len;
    if (len <= MEMO_LIMIT && this.memoHolds(start, len)) return this.memo;
    const s = this.buf.toString('utf8', start, start + len);
    if (s.includes('\uFFFD') && !isUtf8(this.buf.subarray(start, start + len))) {
      throw new FieldValueError(`PRECONDITION_FAILED - a short string field (a name, routing key, consumer tag, header name or property) is not valid UTF-8`);
    }
    if (len <= MEMO_LIMIT) {
      this.buf.copy(this.memoBytes, 0, start, start + len);
      this.memoLength = len;
      this.memo = s;
    }
    return s;
  }

  /**
   * Whether buf[start, start+len) are the bytes of the last short string
   * decoded: a publisher sends the same routing key message after message,
   * and comparing a few bytes here costs less than decoding (and later
   * collecting) a new string each time.
   */
  private memoHolds(start: number, len: number): boolean {
    if (len !== this.memoLength) return false;
    const buf = this.buf;
    const memo = this.memoBytes;
    for (let i = 0; i < len; i++) if (buf[start + i] !== memo[i]) return false;
    return true;
  }

  /** A long string's bytes, as a view (no copy) into the frame. */
  longstr(): Buffer {
    const len = this.long();
    return this.bytes(len);
  }

  bytes(len: number): Buffer {
    this.need(len);
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
}
