import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random';
import { Writer } from './writer';

function written(write: (w: Writer) => void, initialSize = 4096): Buffer {
  const w = new Writer(initialSize);
  write(w);
  return Buffer.from(w.take());
}

/** The bytes Buffer's own BigInt writer gives. */
function bigInt64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

describe('Writer.shortstr', () => {
  it('writes ASCII as a length octet and the chars', () => {
    expect(written((w) => w.shortstr('amq.ctag-1'))).toEqual(Buffer.from([10, ...Buffer.from('amq.ctag-1')]));
    expect(written((w) => w.shortstr(''))).toEqual(Buffer.from([0]));
  });

  it('writes a string with non-ASCII chars as UTF-8, also after ASCII already copied', () => {
    const bytes = written((w) => {
      w.shortstr('ab');
      w.shortstr('abcé€z');
      w.octet(0xce);
    });
    const utf8 = Buffer.from('abcé€z');
    expect(bytes).toEqual(Buffer.from([2, 0x61, 0x62, utf8.length, ...utf8, 0xce]));
  });

  it('keeps earlier bytes when a string makes the buffer grow', () => {
    const long = 'k'.repeat(60);
    const bytes = written((w) => {
      w.octet(7);
      w.shortstr(long);
      w.shortstr('ü'.repeat(30));
    }, 4);
    expect(bytes).toEqual(Buffer.concat([Buffer.from([7, 60]), Buffer.from(long), Buffer.from([60]), Buffer.from('ü'.repeat(30))]));
  });

  it('writes 2,000 random strings of mixed ASCII and multi-byte chars as UTF-8', () => {
    const rnd = new SeededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const s = rnd.string(255);
      const utf8 = Buffer.from(s);
      expect(written((w) => w.shortstr(s), 8)).toEqual(Buffer.concat([Buffer.from([utf8.length]), utf8]));
    }
  });

  it('writes up to 255 bytes and refuses more', () => {
    expect(written((w) => w.shortstr('x'.repeat(255)))).toHaveLength(256);
    expect(() => written((w) => w.shortstr('x'.repeat(256)))).toThrow(RangeError);
    expect(() => written((w) => w.shortstr('é'.repeat(128)))).toThrow(RangeError);
  });
});

describe('Writer.int64', () => {
  it('writes the same bytes as Buffer.writeBigInt64BE at the edges of the safe range and beyond', () => {
    const edges = [
      0n,
      1n,
      -1n,
      2n ** 32n,
      -(2n ** 32n),
      2n ** 32n - 1n,
      -(2n ** 32n) - 1n,
      2n ** 53n - 1n,
      -(2n ** 53n) + 1n,
      2n ** 53n,
      -(2n ** 53n),
      2n ** 63n - 1n,
      -(2n ** 63n),
    ];
    for (const v of edges)
      expect(
        written((w) => w.int64(v)),
        String(v),
      ).toEqual(bigInt64(v));
  });

  it('writes the same bytes as Buffer.writeBigInt64BE for 10,000 random values', () => {
    const rnd = new SeededRandom(64);
    for (let i = 0; i < 10_000; i++) {
      // Both signs, and every magnitude: a random 64-bit value shifted right by 0..63 bits.
      const v = BigInt.asIntN(64, BigInt(`0x${rnd.bytes(8).toString('hex')}`)) >> BigInt(rnd.int(0, 63));
      expect(written((w) => w.int64(v))).toEqual(bigInt64(v));
    }
  });
});
