import { describe, expect, it } from 'vitest';
import { FieldValueError } from './errors';
import { Reader } from './reader';
import { Writer } from './writer';

/** The strings as one frame's short string fields. */
function frame(...strings: string[]): Buffer {
  const w = new Writer();
  for (const s of strings) w.shortstr(s);
  return Buffer.from(w.take());
}

describe('Reader.shortstr', () => {
  it('reads back what was written, repeated, of the same length, empty, non-ASCII', () => {
    const strings = ['orders', 'orders', 'orderz', '', 'orders', 'é-queue', 'é-queue', 'x'.repeat(64), 'x'.repeat(63) + 'y', 'z'.repeat(200)];
    const buf = frame(...strings);
    const r = new Reader(buf, 0, buf.length);
    expect(strings.map(() => r.shortstr())).toEqual(strings);
    expect(r.remaining).toBe(0);
  });

  it('reads each frame on its own when the reader is reused: the same bytes at another place, then different bytes in the same place', () => {
    const r = new Reader();
    const first = frame('a', 'jobs');
    r.reset(first, 0, first.length);
    expect([r.shortstr(), r.shortstr()]).toEqual(['a', 'jobs']);
    const second = frame('jobs');
    r.reset(second, 0, second.length);
    expect(r.shortstr()).toBe('jobs');
    second.write('mobs', 1);
    r.reset(second, 0, second.length);
    expect(r.shortstr()).toBe('mobs');
  });

  it('refuses invalid UTF-8 even right after the same length was read as valid', () => {
    const valid = frame('ab');
    const invalid = Buffer.from([2, 0xc3, 0x28]);
    const r = new Reader(valid, 0, valid.length);
    expect(r.shortstr()).toBe('ab');
    r.reset(invalid, 0, invalid.length);
    expect(() => r.shortstr()).toThrow(FieldValueError);
    r.reset(invalid, 0, invalid.length);
    expect(() => r.shortstr()).toThrow(/not valid UTF-8/);
  });
});
