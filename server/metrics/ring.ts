/**
 * A fixed-size ring of timestamped samples: the newest `capacity` points of a
 * series, kept without allocation after it fills (it grows to its capacity as
 * samples come, so a series that records little costs little). Charts read
 * it oldest first.
 */
export interface Sample<T> {
  at: number;
  value: T;
}

export class Ring<T> {
  private readonly items: Sample<T>[] = [];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('Ring capacity must be a positive integer');
  }

  push(sample: Sample<T>): void {
    this.items[this.next] = sample; // appends until the ring is full, then overwrites the oldest
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The newest sample, or undefined while empty. */
  latest(): Sample<T> | undefined {
    return this.count === 0 ? undefined : this.items[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** Samples oldest first, optionally only those at or after `since`. */
  toArray(since = -Infinity): Sample<T>[] {
    const out: Sample<T>[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const s = this.items[(start + i) % this.capacity]!;
      if (s.at >= since) out.push(s);
    }
    return out;
  }
}
