import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../amqp/codec/seeded-random';
import { SlotMap } from './slot-map';

function contentsOf(map: SlotMap): [number, number][] {
  const out: [number, number][] = [];
  map.forEach((key, value) => out.push([key, value]));
  return out;
}

function sortedContents(reference: Map<number, number>): [number, number][] {
  return [...reference.entries()].sort((a, b) => a[0] - b[0]);
}

describe('SlotMap', () => {
  it('keeps FIFO traffic in order', () => {
    const map = new SlotMap();
    for (let key = 1; key <= 1000; key++) map.set(key, key * 2);
    for (let key = 1; key <= 990; key++) expect(map.delete(key)).toBe(key * 2);
    for (let key = 1001; key <= 1100; key++) map.set(key, 7);
    expect(map.size).toBe(110);
    expect(map.get(995)).toBe(1990);
    expect(map.get(5)).toBe(-1);
    expect(contentsOf(map).map(([key]) => key)).toEqual([...Array(110).keys()].map((i) => 991 + i));
  });

  it('takes keys out of order, replaces values, and lists everything in key order', () => {
    const map = new SlotMap();
    map.set(10, 1);
    map.set(20, 2);
    map.set(5, 3); // below the run: overflow
    map.set(15, 4); // inside the run's range but absent: overflow
    expect(map.set(20, 5)).toBe(2);
    expect(map.set(5, 6)).toBe(3);
    expect(contentsOf(map)).toEqual([
      [5, 6],
      [10, 1],
      [15, 4],
      [20, 5],
    ]);
    expect(map.delete(15)).toBe(4);
    expect(map.delete(15)).toBe(-1);
    expect(map.delete(10)).toBe(1);
    expect(map.delete(20)).toBe(5);
    // The run is empty now; a key still in the overflow must not be appended twice.
    expect(map.set(5, 9)).toBe(6);
    expect(map.size).toBe(1);
    expect(contentsOf(map)).toEqual([[5, 9]]);
  });

  it('holds a long run in chunks, drains it oldest first and takes new keys after', () => {
    const map = new SlotMap(64);
    for (let key = 1; key <= 10_000; key++) map.set(key, key);
    for (let key = 2; key <= 9_000; key += 2) map.delete(key); // every other one of the first 9,000: tombstones
    for (let key = 1; key <= 8_999; key += 2) expect(map.delete(key)).toBe(key);
    expect(map.size).toBe(1000);
    expect(map.get(9_001)).toBe(9_001);
    expect(map.get(10_000)).toBe(10_000);
    for (let key = 10_001; key <= 10_200; key++) map.set(key, 1);
    expect(contentsOf(map).map(([key]) => key)).toEqual([...Array(1200).keys()].map((i) => 9_001 + i));
  });

  it.each([
    ['one pair of arrays', undefined],
    ['chunks of 32 entries', 32],
  ])('behaves as a Map under random operations (%s)', (_storage, chunkEntries) => {
    const random = new SeededRandom(42);
    const map = new SlotMap(chunkEntries);
    const reference = new Map<number, number>();
    let next = 1;
    let oldest = 1;
    for (let step = 0; step < 20_000; step++) {
      const roll = random.int(0, 99);
      let key: number;
      if (roll < 45)
        key = next++; // appended in order
      else if (roll < 55)
        key = random.int(0, next + 10); // anywhere, maybe out of order
      else key = roll < 85 ? oldest++ : random.int(0, next); // removed: mostly the oldest
      const expected = reference.get(key) ?? -1;
      const got = roll < 55 ? map.set(key, step) : map.delete(key);
      if (roll < 55) reference.set(key, step);
      else reference.delete(key);
      const after = map.get(key);
      // Checked by hand: an expect() per step would dominate the test's time.
      if (got !== expected || after !== (reference.get(key) ?? -1)) {
        throw new Error(`step ${step}, key ${key}: returned ${got} (want ${expected}), then holds ${after}`);
      }
      if (step % 4999 === 0) {
        expect(map.size).toBe(reference.size);
        expect(contentsOf(map)).toEqual(sortedContents(reference));
      }
    }
    expect(contentsOf(map)).toEqual(sortedContents(reference));
  });
});
