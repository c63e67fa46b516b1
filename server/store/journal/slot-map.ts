// A map from integer keys (queue seqs, message ids) to non-negative int32
// values (table slots), built for keys that mostly arrive in increasing order
// and mostly leave oldest first, as seqs and message ids do. A JS Map of a
// million entries costs about a microsecond per operation in hashing, cache
// misses and GC work on its large table; this one costs an append or a
// binary search in two typed arrays, and allocates nothing per entry.
//
// Layout: a sorted run keys[head, tail) / values[head, tail). A key above the
// run's last key is appended. A deleted entry becomes a tombstone (value -1);
// head skips leading tombstones, so FIFO removal stays O(1). When the arrays
// are full, the run is compacted in place, or moved to arrays a quarter
// larger when more than three quarters of it are live (doubling would leave
// up to half of a ten-million-entry map unused). A key that arrives below the run's last
// key and is not in it (a journal record rewritten by compaction, a queue
// reusing seqs) goes to `overflow`, a plain Map expected to stay small.
// Array reads are at indexes in [head, tail) (or below extra.length), hence `!`.

const TOMBSTONE = -1;

export class SlotMap {
  private keys = new Float64Array(16);
  private values = new Int32Array(16);
  private head = 0;
  private tail = 0;
  /** Live (non-tombstone) entries in the run. */
  private runSize = 0;
  private readonly overflow = new Map<number, number>();

  get size(): number {
    return this.runSize + this.overflow.size;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const i = this.find(key);
    if (i >= 0) return this.values[i]!;
    return this.overflow.size > 0 ? (this.overflow.get(key) ?? TOMBSTONE) : TOMBSTONE;
  }

  /** Sets `key` to `value` (>= 0); returns the value it replaced, or -1. */
  set(key: number, value: number): number {
    if (this.overflow.size > 0 && this.overflow.has(key)) {
      const previous = this.overflow.get(key)!;
      this.overflow.set(key, value);
      return previous;
    }
    if (this.tail === this.head || key > this.keys[this.tail - 1]!) {
      if (this.tail === this.keys.length) this.makeRoom();
      this.keys[this.tail] = key;
      this.values[this.tail++] = value;
      this.runSize++;
      return TOMBSTONE;
    }
    const i = this.find(key);
    if (i < 0) {
      this.overflow.set(key, value);
      return TOMBSTONE;
    }
    const previous = this.values[i]!;
    if (previous === TOMBSTONE) this.runSize++;
    this.values[i] = value;
    return previous;
  }

  /** Removes `key`; returns its value, or -1 when it was absent. */
  delete(key: number): number {
    const i = this.find(key);
    if (i >= 0 && this.values[i] !== TOMBSTONE) {
      const previous = this.values[i]!;
      this.values[i] = TOMBSTONE;
      this.runSize--;
      while (this.head < this.tail && this.values[this.head] === TOMBSTONE) this.head++;
      if (this.head === this.tail) this.head = this.tail = 0;
      return previous;
    }
    if (this.overflow.size === 0) return TOMBSTONE;
    const previous = this.overflow.get(key);
    if (previous === undefined) return TOMBSTONE;
    this.overflow.delete(key);
    return previous;
  }

  clear(): void {
    this.head = this.tail = this.runSize = 0;
    this.overflow.clear();
  }

  /** Calls `visit` for every entry in increasing key order. */
  forEach(visit: (key: number, value: number) => void): void {
    const extra = [...this.overflow.keys()].sort((a, b) => a - b);
    let e = 0;
    for (let i = this.head; i < this.tail; i++) {
      if (this.values[i] === TOMBSTONE) continue;
      const key = this.keys[i]!;
      for (; e < extra.length && extra[e]! < key; e++) visit(extra[e]!, this.overflow.get(extra[e]!)!);
      visit(key, this.values[i]!);
    }
    for (; e < extra.length; e++) visit(extra[e]!, this.overflow.get(extra[e]!)!);
  }

  /** Index of `key` in the run (tombstone or not), or -1. */
  private find(key: number): number {
    let low = this.head;
    let high = this.tail - 1;
    if (high < low || key < this.keys[low]! || key > this.keys[high]!) return -1;
    if (this.keys[low] === key) return low; // the oldest: FIFO removal
    if (this.keys[high] === key) return high; // the newest: a message's ENQUEUE right after its MESSAGE record
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = this.keys[mid]!;
      if (at < key) low = mid + 1;
      else if (at > key) high = mid - 1;
      else return mid;
    }
    return -1;
  }

  private makeRoom(): void {
    const capacity = this.keys.length;
    const grown = capacity + Math.max(16, capacity >>> 2);
    const keys = this.runSize > (capacity * 3) / 4 ? new Float64Array(grown) : this.keys;
    const values = keys === this.keys ? this.values : new Int32Array(grown);
    let out = 0;
    for (let i = this.head; i < this.tail; i++) {
      if (this.values[i] === TOMBSTONE) continue;
      keys[out] = this.keys[i]!;
      values[out++] = this.values[i]!;
    }
    this.keys = keys;
    this.values = values;
    this.head = 0;
    this.tail = out;
  }
}
