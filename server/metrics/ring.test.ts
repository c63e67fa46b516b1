import { describe, expect, it } from 'vitest';
import { Ring } from './ring';

describe('Ring', () => {
  it('keeps the newest samples, oldest first', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push({ at: i * 1000, value: i });
    expect(r.size).toBe(3);
    expect(r.toArray().map((s) => s.value)).toEqual([3, 4, 5]);
  });

  it('filters by time', () => {
    const r = new Ring<number>(10);
    for (let i = 1; i <= 5; i++) r.push({ at: i * 1000, value: i });
    expect(r.toArray(4000).map((s) => s.value)).toEqual([4, 5]);
  });

  it('refuses a useless capacity', () => {
    expect(() => new Ring(0)).toThrow(RangeError);
  });
});
