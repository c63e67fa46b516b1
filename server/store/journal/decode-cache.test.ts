import { describe, expect, it } from 'vitest';
import { DecodeCache } from './decode-cache';

function cachedDecode(cache: DecodeCache<string>, buf: Buffer, decodes: { count: number }): string {
  let value = cache.lookup(buf, 0, buf.length);
  if (value === undefined) {
    decodes.count++;
    value = buf.toString('latin1');
    cache.store(buf, 0, buf.length, value);
  }
  return value;
}

describe('DecodeCache', () => {
  it('decodes repeated bytes once and never confuses different bytes, even when slots collide', () => {
    const cache = new DecodeCache<string>();
    const decodes = { count: 0 };
    for (let round = 0; round < 3; round++) {
      expect(cachedDecode(cache, Buffer.from('orders.created'), decodes)).toBe('orders.created');
    }
    expect(decodes.count).toBe(1);
    // Far more distinct keys than slots: every answer must still be its own.
    for (let i = 0; i < 5000; i++) {
      const key = `key-${i}`;
      expect(cachedDecode(cache, Buffer.from(key), decodes)).toBe(key);
    }
    expect(cachedDecode(cache, Buffer.alloc(0), decodes)).toBe('');
  });

  it('does not cache long encodings', () => {
    const cache = new DecodeCache<string>();
    const decodes = { count: 0 };
    const long = Buffer.alloc(600, 'x');
    cachedDecode(cache, long, decodes);
    cachedDecode(cache, long, decodes);
    expect(decodes.count).toBe(2);
  });
});
