import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CodecError } from './errors';
import { readArray, readTable, writeTable } from './field-table';
import { Decimal, type FieldTable, type FieldValue } from './field-value';
import { Reader } from './reader';
import { SeededRandom } from './seeded-random';
import { Writer } from './writer';

const require = createRequire(import.meta.url);
const amqplibCodec = require('amqplib/lib/codec') as { encodeTable(buf: Buffer, val: unknown, offset: number): number };

function encode(table: FieldTable): Buffer {
  const w = new Writer(16);
  writeTable(w, table);
  return Buffer.from(w.take());
}

function decode(bytes: Buffer): FieldTable {
  const r = new Reader(bytes);
  const t = readTable(r);
  expect(r.pos).toBe(bytes.length);
  return t;
}

/** A table entry: key, type octet, value bytes. */
function entry(key: string, type: string, value: number[]): number[] {
  return [key.length, ...Buffer.from(key), type.charCodeAt(0), ...value];
}

function table(...entries: number[][]): Buffer {
  const body = entries.flat();
  return Buffer.from([0, 0, 0, body.length, ...body]);
}

describe('field table known encodings', () => {
  it('encodes an integer as I and a string as S', () => {
    expect(encode({ a: 1 })).toEqual(table(entry('a', 'I', [0, 0, 0, 1])));
    expect(encode({ s: 'hi' })).toEqual(table(entry('s', 'S', [0, 0, 0, 2, 0x68, 0x69])));
    expect(encode({})).toEqual(Buffer.from([0, 0, 0, 0]));
  });

  it('decodes every type octet, RabbitMQ style', () => {
    const bytes = table(
      entry('t', 't', [1]),
      entry('b', 'b', [0xff]),
      entry('B', 'B', [0xff]),
      entry('s', 's', [0xff, 0xfe]),
      entry('u', 'u', [0xff, 0xfe]),
      entry('I', 'I', [0xff, 0xff, 0xff, 0xfe]),
      entry('i', 'i', [0xff, 0xff, 0xff, 0xfe]),
      entry('l', 'l', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd]),
      entry('L', 'L', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd]),
      entry('f', 'f', [0x3f, 0xc0, 0, 0]),
      entry('d', 'd', [0x40, 0x04, 0, 0, 0, 0, 0, 0]),
      entry('D', 'D', [2, 0, 0, 0x01, 0x2c]),
      entry('x', 'x', [0, 0, 0, 2, 0xde, 0xad]),
      entry('A', 'A', [0, 0, 0, 7, 0x74, 0, 0x49, 0, 0, 0, 5]),
      entry('F', 'F', [0, 0, 0, 0]),
      entry('V', 'V', []),
      entry('T', 'T', [0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00]),
      entry('S', 'S', [0, 0, 0, 1, 0x41]),
    );
    expect(decode(bytes)).toEqual({
      t: true,
      b: -1,
      B: 255,
      s: -2,
      u: 65534,
      I: -2,
      i: 4294967294,
      l: -3,
      L: 18446744073709551613n,
      f: 1.5,
      d: 2.5,
      D: new Decimal(2, 300),
      x: Buffer.from([0xde, 0xad]),
      A: [false, 5],
      F: {},
      V: null,
      T: new Date(0x6553f100 * 1000),
      S: 'A',
    });
  });

  it('reads tables encoded by amqplib', () => {
    const value = { str: 'text', int: 42, neg: -7, big: 2 ** 40, float: 0.25, bool: false, nested: { list: [1, 'two', true] }, buf: Buffer.from('xyz') };
    const buf = Buffer.alloc(1024);
    const len = amqplibCodec.encodeTable(buf, value, 0);
    expect(decode(buf.subarray(0, len))).toEqual(value);
  });

  it('rejects unknown types, truncated input and bad lengths with 502', () => {
    const bad = [
      table(entry('q', 'Q', [])),
      table(entry('S', 'S', [0, 0, 0, 9, 1])),
      Buffer.from([0, 0, 0, 9, 1]),
      Buffer.from([0, 0, 0, 3, 1, 0x61, 0x56]).subarray(0, 6),
    ];
    for (const bytes of bad) {
      let caught: unknown;
      try {
        readTable(new Reader(bytes));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CodecError);
      expect((caught as CodecError).replyCode).toBe(502);
    }
  });

  it('refuses hostile nesting depth without exhausting the stack', () => {
    // 10,000 nested arrays: each level is 'A' + length.
    const depth = 10_000;
    const parts: Buffer[] = [];
    for (let i = 0; i < depth; i++) {
      const len = (depth - i - 1) * 5;
      parts.push(Buffer.from([0x41, len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255]));
    }
    const inner = Buffer.concat(parts).subarray(1); // readArray starts at the length
    expect(() => readArray(new Reader(inner))).toThrow(CodecError);
  });

  it('encodes values of no AMQP type as void and skips undefined entries', () => {
    const table = { f: () => 1, sym: Symbol('s'), gone: undefined, list: [undefined, 1] };
    expect(decode(encode(table))).toEqual({ f: null, sym: null, list: [null, 1] });
  });

  it('keeps a __proto__ key as data', () => {
    const t = decode(table(entry('__proto__', 'I', [0, 0, 0, 1])));
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });
});

/** Random values in the forms that decode(encode(v)) returns unchanged. */
function randomValue(rnd: SeededRandom, depth: number): FieldValue {
  switch (rnd.int(0, depth > 2 ? 8 : 10)) {
    case 0:
      return rnd.bool();
    case 1:
      return rnd.int(-0x8000_0000, 0x7fff_ffff);
    case 2:
      return rnd.pick([Number.MAX_SAFE_INTEGER, -(2 ** 40), 2 ** 33 + rnd.int(0, 1000)]);
    case 3:
      return rnd.next() * 1e6 - 5e5;
    case 4:
      return rnd.pick([2n ** 62n, -(2n ** 63n), 2n ** 60n + BigInt(rnd.int(0, 99))]);
    case 5:
      return rnd.string(300);
    case 6:
      return rnd.bytes(rnd.int(0, 40));
    case 7:
      return new Date(rnd.int(0, 2_000_000_000) * 1000);
    case 8:
      return rnd.bool() ? null : new Decimal(rnd.int(0, 255), rnd.int(-0x8000_0000, 0x7fff_ffff));
    case 9:
      return Array.from({ length: rnd.int(0, 5) }, () => randomValue(rnd, depth + 1));
    default:
      return randomTable(rnd, depth + 1);
  }
}

function randomTable(rnd: SeededRandom, depth = 0): FieldTable {
  const t: FieldTable = {};
  for (let i = rnd.int(0, 6); i > 0; i--) t[rnd.string(20)] = randomValue(rnd, depth);
  return t;
}

describe('field table round trips', () => {
  it('decode(encode(t)) equals t for 2,000 random tables', () => {
    const rnd = new SeededRandom(20261122);
    for (let i = 0; i < 2000; i++) {
      const t = randomTable(rnd);
      expect(decode(encode(t)), `case ${i}`).toEqual(t);
    }
  });
});
