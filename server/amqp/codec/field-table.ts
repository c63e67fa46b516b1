import { syntaxError } from './errors';
import { Decimal, type FieldTable, type FieldValue } from './field-value';
import type { Reader } from './reader';
import type { Writer } from './writer';

/**
 * Field tables and arrays, with every type of AMQP 0-9-1 plus RabbitMQ's
 * reading of the type octets (its errata: 's' is a signed 16-bit integer,
 * not a short string; 'S' is the long string). Mapping to JS values: see
 * field-value.ts.
 */

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
/** Nesting limit so that a hostile frame cannot exhaust the stack. */
const MAX_DEPTH = 64;

export function readTable(r: Reader, depth = 0): FieldTable {
  const len = r.long();
  r.need(len);
  const end = r.pos + len;
  const table: FieldTable = {};
  while (r.pos < end) {
    const key = r.shortstr();
    const value = readFieldValue(r, depth);
    // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
    if (key === '__proto__') Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
    else table[key] = value;
  }
  if (r.pos !== end) throw syntaxError('field table length mismatch');
  return table;
}

export function readArray(r: Reader, depth = 0): FieldValue[] {
  const len = r.long();
  r.need(len);
  const end = r.pos + len;
  const values: FieldValue[] = [];
  while (r.pos < end) values.push(readFieldValue(r, depth));
  if (r.pos !== end) throw syntaxError('field array length mismatch');
  return values;
}

function readFieldValue(r: Reader, depth: number): FieldValue {
  const type = r.octet();
  switch (type) {
    case 0x74 /* t */:
      return r.octet() !== 0;
    case 0x62 /* b */:
      return r.int8();
    case 0x42 /* B */:
      return r.octet();
    case 0x73 /* s */:
      return r.int16();
    case 0x75 /* u */:
      return r.short();
    case 0x49 /* I */:
      return r.int32();
    case 0x69 /* i */:
      return r.long();
    case 0x6c /* l */:
      return narrow(r.int64());
    case 0x4c /* L */:
      return narrow(r.uint64());
    case 0x66 /* f */:
      return r.float();
    case 0x64 /* d */:
      return r.double();
    case 0x44 /* D */:
      {
        const scale = r.octet();
        return new Decimal(scale, r.int32());
      }
    case 0x53 /* S */:
      {
        const len = r.long();
        r.need(len);
        const s = r.buf.toString('utf8', r.pos, r.pos + len);
        r.pos += len;
        return s;
      }
    case 0x78 /* x */:
      return Buffer.from(r.longstr()); // copied: the frame buffer is not kept
    case 0x54 /* T */:
      return new Date(r.longlong() * 1000);
    case 0x56 /* V */:
      return null;
    case 0x41 /* A */:
      if (depth >= MAX_DEPTH) throw syntaxError('field values nested too deep');
      return readArray(r, depth + 1);
    case 0x46 /* F */:
      if (depth >= MAX_DEPTH) throw syntaxError('field values nested too deep');
      return readTable(r, depth + 1);
    default:
      throw syntaxError(`unknown field value type 0x${type.toString(16)}`);
  }
}

function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function writeTable(w: Writer, table: FieldTable | undefined): void {
  const lenMark = w.mark();
  w.long(0);
  const start = w.mark();
  if (table) {
    for (const key of Object.keys(table)) {
      const value = table[key];
      if (value === undefined) continue;
      w.shortstr(key);
      writeFieldValue(w, value);
    }
  }
  w.patchLong(lenMark, w.mark() - start);
}

export function writeArray(w: Writer, values: readonly unknown[]): void {
  const lenMark = w.mark();
  w.long(0);
  const start = w.mark();
  for (const v of values) writeFieldValue(w, v);
  w.patchLong(lenMark, w.mark() - start);
}

function writeFieldValue(w: Writer, v: unknown): void {
  if (v === null || typeof v === 'function' || typeof v === 'symbol') return w.octet(0x56);
  switch (typeof v) {
    case 'boolean':
      w.octet(0x74);
      return w.octet(v ? 1 : 0);
    case 'string':
      w.octet(0x53);
      return w.longstr(v);
    case 'bigint':
      w.octet(0x6c);
      return w.int64(v);
    case 'number':
      if (Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) {
        w.octet(0x49);
        return w.int32(v);
      }
      if (Number.isSafeInteger(v)) {
        w.octet(0x6c);
        return w.int64(BigInt(v));
      }
      w.octet(0x64);
      return w.double(v);
  }
  if (Buffer.isBuffer(v)) {
    w.octet(0x78);
    return w.longstr(v);
  }
  if (v instanceof Date) {
    w.octet(0x54);
    return w.longlong(Math.floor(v.getTime() / 1000));
  }
  if (v instanceof Decimal) {
    w.octet(0x44);
    w.octet(v.scale);
    return w.int32(v.value);
  }
  if (typeof v !== 'object') return w.octet(0x56); // undefined inside an array
  if (Array.isArray(v)) {
    w.octet(0x41);
    return writeArray(w, v);
  }
  w.octet(0x46);
  writeTable(w, v as FieldTable);
}
