import { describe, expect, it } from 'vitest';
import { DueHeap } from './due-heap';

describe('DueHeap', () => {
  it('pops 10,000 random pairs in due order, ties by seq, and a clone pops alike without changing it', () => {
    let state = 99;
    const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) % 500;
    const heap = new DueHeap(2);
    const pairs: [number, number][] = [];
    for (let seq = 1; seq <= 10_000; seq++) {
      const due = random();
      heap.push(due, seq);
      pairs.push([due, seq]);
    }
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const drain = (h: DueHeap) => {
      const out: [number, number][] = [];
      while (h.size > 0) {
        out.push([h.topDue, h.topSeq]);
        h.pop();
      }
      return out;
    };
    expect(drain(heap.clone())).toEqual(pairs);
    expect(heap.size).toBe(10_000);
    expect(drain(heap)).toEqual(pairs);
  });
});
