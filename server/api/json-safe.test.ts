import { describe, expect, it } from 'vitest';
import { toJsonSafe } from './json-safe';

describe('toJsonSafe', () => {
  it('tags what JSON cannot carry and survives JSON.stringify', () => {
    const headers = {
      n: 5,
      big: 2n ** 62n,
      at: new Date('2026-01-02T03:04:05.000Z'),
      raw: Buffer.from('hi'),
      'x-death': [{ count: 1, 'routing-keys': ['a'], time: new Date(0) }],
    };
    const safe = toJsonSafe(headers);
    expect(JSON.parse(JSON.stringify(safe))).toEqual({
      n: 5,
      big: { $long: '4611686018427387904' },
      at: { $timestamp: '2026-01-02T03:04:05.000Z' },
      raw: { $bytes: 'aGk=' },
      'x-death': [{ count: 1, 'routing-keys': ['a'], time: { $timestamp: '1970-01-01T00:00:00.000Z' } }],
    });
  });

  it('sends the first bytes of a long byte string, and its length', () => {
    const long = Buffer.alloc(10_000, 0xab);
    expect(toJsonSafe({ raw: long, short: Buffer.from([1, 2]) }, 4096)).toEqual({
      raw: { $bytes: long.subarray(0, 4096).toString('base64'), $length: 10_000 },
      short: { $bytes: 'AQI=' },
    });
  });
});
