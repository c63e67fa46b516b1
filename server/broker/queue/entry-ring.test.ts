import { describe, expect, it } from 'vitest';
import { Message } from '../message';
import { EntryRing } from './entry-ring';

const message = (n: number) => new Message(n, '', 'q', {}, Buffer.from(`m${n}`));

function seqs(ring: EntryRing): number[] {
  return Array.from({ length: ring.length }, (_, i) => ring.seqAt(i));
}

describe('EntryRing', () => {
  it('is FIFO across growth and wrap-around', () => {
    const ring = new EntryRing(4);
    for (let i = 1; i <= 3; i++) ring.pushBack(message(i), i, 0, 0);
    ring.shift();
    ring.shift();
    for (let i = 4; i <= 40; i++) ring.pushBack(message(i), i, 0, 0);
    expect(seqs(ring)).toEqual(Array.from({ length: 38 }, (_, i) => i + 3));
    expect(ring.bytes).toBe(7 * 2 + 31 * 3); // m3..m9 are 2 bytes, m10..m40 are 3
  });

  it('puts requeued entries back at their original position', () => {
    const ring = new EntryRing(4);
    for (const seq of [2, 5, 7, 9]) ring.pushBack(message(seq), seq, 0, 0);
    ring.insertSorted(message(6), 6, 0, 1);
    ring.insertSorted(message(1), 1, 0, 1);
    ring.insertSorted(message(10), 10, 0, 1);
    expect(seqs(ring)).toEqual([1, 2, 5, 6, 7, 9, 10]);
    expect(ring.deliveryCountAt(3)).toBe(1);
    expect(ring.deliveryCountAt(1)).toBe(0);
    expect(ring.messageAt(3).body.toString()).toBe('m6');
  });

  it('keeps expiries and counts written after the columns were absent', () => {
    const ring = new EntryRing(2);
    ring.pushBack(message(1), 1, 0, 0);
    ring.pushBack(message(2), 2, 12345, 3);
    ring.pushBack(message(3), 3, 0, 0);
    expect([ring.expiresAt(0), ring.expiresAt(1), ring.expiresAt(2)]).toEqual([0, 12345, 0]);
    expect([ring.deliveryCountAt(0), ring.deliveryCountAt(1)]).toEqual([0, 3]);
  });

  it('shrinks after a large backlog drains and still holds the rest in order', () => {
    const ring = new EntryRing();
    for (let i = 1; i <= 5000; i++) ring.pushBack(message(i), i, 0, 0);
    for (let i = 1; i <= 4990; i++) ring.shift();
    expect(seqs(ring)).toEqual([4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
  });
});
