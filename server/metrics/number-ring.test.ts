import { describe, expect, it } from 'vitest';
import { NumberRing } from './number-ring';

describe('NumberRing', () => {
  it('keeps the newest samples, oldest first', () => {
    const r = new NumberRing(3);
    for (let i = 1; i <= 5; i++) r.push(i * 1000, i);
    expect(r.size).toBe(3);
    expect(r.toArray()).toEqual([
      { at: 3000, value: 3 },
      { at: 4000, value: 4 },
      { at: 5000, value: 5 },
    ]);
  });

  it('filters by time', () => {
    const r = new NumberRing(10);
    for (let i = 1; i <= 5; i++) r.push(i * 1000, i);
    expect(r.toArray(4000).map((s) => s.value)).toEqual([4, 5]);
  });

  it('refuses a useless capacity', () => {
    expect(() => new NumberRing(0)).toThrow(RangeError);
  });
});
