import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32';

describe('crc32', () => {
  it('gives the standard check value', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check, 0, check.length)).toBe(0xcbf43926);
  });

  it('agrees with zlib on every length and offset around the 8-byte and native boundaries', () => {
    const data = Buffer.alloc(3000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
    for (const start of [0, 1, 3, 7]) {
      for (let length = 0; length <= 40; length++) expect(crc32(data, start, start + length)).toBe(zlibCrc32(data.subarray(start, start + length)));
      for (const length of [255, 256, 257, 1024, 2999 - start])
        expect(crc32(data, start, start + length)).toBe(zlibCrc32(data.subarray(start, start + length)));
    }
  });
});
