// A map from integer keys (queue seqs, message ids) to non-negative int32
// values (table slots), built for keys that mostly arrive in increasing order
// and mostly leave oldest first, as seqs and message ids do. A JS Map of a
// million entries costs about a microsecond per operation in hashing, cache
// misses and GC work on its large table; this one costs an append or a
// binary search in typed arrays, and allocates nothing per entry.
//
// Layout: a sorted run of positions [head, tail), each a key and a value. A
// key above the run's last key is appended. A deleted entry becomes a
// tombstone (value -1); head skips leading tombstones, so FIFO removal stays
// O(1). A key that arrives below the run's last key and is not in it (a
// journal record rewritten by compaction, a queue reusing seqs) goes to
// `overflow`, a plain Map expected to stay small.
//
// Storage: a small map has one pair of arrays, doubled when full; past
// `chunkEntries` entries the run is held in chunks of that many, added as the
// run grows and dropped from the front as head leaves them. A map of ten
// million entries then holds no more than it uses, is never copied whole into
// arrays twice the size, and gives memory back as it drains. When the run is
// full and at most three quarters of it are live, the live entries are moved
// to its front instead (tombstones left by removals out of order).
//
// Position p lives in chunk (p - base) >> shift, at (p - base) & mask; array
// reads are at positions in [head, tail), which the chunks cover, hence `!`.

const TOMBSTONE = -1;
const FIRST_CAPACITY = 16;

export class SlotMap {
  private keyChunks: Float64Array[] = [new Float64Array(FIRST_CAPACITY)];
  private valueChunks: Int32Array[] = [new Int32Array(FIRST_CAPACITY)];
  /** Position of keyChunks[0][0]. */
  private base = 0;
  private head = 0;
  private tail = 0;
  /** Live (non-tombstone) entries in the run. */
  private runSize = 0;
  private readonly overflow = new Map<number, number>();
  private readonly shift: number;
  private readonly mask: number;

  /** `chunkEntries`: a power of two, the entries of one chunk of a large map. */
  constructor(private readonly chunkEntries = 1 << 14) {
    this.shift = Math.log2(chunkEntries);
    this.mask = chunkEntries - 1;
  }

  get size(): number {
    return this.runSize + this.overflow.size;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const p = this.find(key);
    if (p >= 0) return this.valueAt(p);
    return this.overflow.size > 0 ? (this.overflow.get(key) ?? TOMBSTONE) : TOMBSTONE;
  }

  /** Sets `key` to `value` (>= 0); returns the value it replaced, or -1. */
  set(key: number, value: number): number {
    if (this.overflow.size > 0 && this.overflow.has(key)) {
      const previous = this.overflow.get(key)!;
      this.overflow.set(key, value);
      return previous;
    }
    if (this.tail === this.head || key > this.keyAt(this.tail - 1)) {
      if (this.tail - this.base === this.capacity()) this.makeRoom();
      this.put(this.tail++, key, value);
      this.runSize++;
      return TOMBSTONE;
    }
    const p = this.find(key);
    if (p < 0) {
      this.overflow.set(key, value);
      return TOMBSTONE;
    }
    const previous = this.valueAt(p);
    if (previous === TOMBSTONE) this.runSize++;
    this.put(p, key, value);
    return previous;
  }

  /** Removes `key`; returns its value, or -1 when it was absent. */
  delete(key: number): number {
    const p = this.find(key);
    if (p >= 0 && this.valueAt(p) !== TOMBSTONE) {
      const previous = this.valueAt(p);
      this.put(p, key, TOMBSTONE);
      this.runSize--;
      while (this.head < this.tail && this.valueAt(this.head) === TOMBSTONE) this.head++;
      if (this.head === this.tail) this.clearRun();
      else this.dropLeftChunks();
      return previous;
    }
    if (this.overflow.size === 0) return TOMBSTONE;
    const previous = this.overflow.get(key);
    if (previous === undefined) return TOMBSTONE;
    this.overflow.delete(key);
    return previous;
  }

  clear(): void {
    this.clearRun();
    this.overflow.clear();
  }

  /** Calls `visit` for every entry in increasing key order. */
  forEach(visit: (key: number, value: number) => void): void {
    const extra = [...this.overflow.keys()].sort((a, b) => a - b);
    let e = 0;
    for (let p = this.head; p < this.tail; p++) {
      const value = this.valueAt(p);
      if (value === TOMBSTONE) continue;
      const key = this.keyAt(p);
      for (; e < extra.length && extra[e]! < key; e++) visit(extra[e]!, this.overflow.get(extra[e]!)!);
      visit(key, value);
    }
    for (; e < extra.length; e++) visit(extra[e]!, this.overflow.get(extra[e]!)!);
  }

  private keyAt(p: number): number {
    const i = p - this.base;
    return this.keyChunks[i >>> this.shift]![i & this.mask]!;
  }

  private valueAt(p: number): number {
    const i = p - this.base;
    return this.valueChunks[i >>> this.shift]![i & this.mask]!;
  }

  private put(p: number, key: number, value: number): void {
    const i = p - this.base;
    this.keyChunks[i >>> this.shift]![i & this.mask] = key;
    this.valueChunks[i >>> this.shift]![i & this.mask] = value;
  }

  /** Position of `key` in the run (tombstone or not), or -1. */
  private find(key: number): number {
    let low = this.head;
    let high = this.tail - 1;
    if (high < low || key < this.keyAt(low) || key > this.keyAt(high)) return -1;
    if (this.keyAt(low) === key) return low; // the oldest: FIFO removal
    if (this.keyAt(high) === key) return high; // the newest: a message's ENQUEUE right after its MESSAGE record
    while (low <= high) {
      const mid = low + ((high - low) >>> 1);
      const at = this.keyAt(mid);
      if (at < key) low = mid + 1;
      else if (at > key) high = mid - 1;
      else return mid;
    }
    return -1;
  }

  private capacity(): number {
    const first = this.keyChunks[0]!;
    return first.length < this.chunkEntries ? first.length : this.keyChunks.length * this.chunkEntries;
  }

  /** The run reaches the end of the storage: move it to the front, or add storage. */
  private makeRoom(): void {
    if (this.runSize <= ((this.tail - this.head) * 3) / 4) {
      this.compact();
      if (this.tail - this.base < this.capacity()) return;
    }
    const first = this.keyChunks[0]!;
    if (first.length < this.chunkEntries) {
      const keys = new Float64Array(Math.min(this.chunkEntries, first.length * 2));
      const values = new Int32Array(keys.length);
      keys.set(first);
      values.set(this.valueChunks[0]!);
      this.keyChunks = [keys];
      this.valueChunks = [values];
      return;
    }
    this.keyChunks.push(new Float64Array(this.chunkEntries));
    this.valueChunks.push(new Int32Array(this.chunkEntries));
  }

  /** Moves the live entries to the front of the storage, in order, and drops the chunks left empty. */
  private compact(): void {
    let out = this.base;
    for (let p = this.head; p < this.tail; p++) {
      const value = this.valueAt(p);
      if (value !== TOMBSTONE) this.put(out++, this.keyAt(p), value);
    }
    this.head = this.base;
    this.tail = out;
    const chunks = Math.max(1, Math.ceil((this.tail - this.base) / this.chunkEntries));
    if (this.keyChunks[0]!.length === this.chunkEntries && this.keyChunks.length > chunks) {
      this.keyChunks.length = chunks;
      this.valueChunks.length = chunks;
    }
  }

  /** Drops the chunks head has left behind, but the last. */
  private dropLeftChunks(): void {
    while (this.keyChunks.length > 1 && this.head - this.base >= this.chunkEntries) {
      this.keyChunks.shift();
      this.valueChunks.shift();
      this.base += this.chunkEntries;
    }
  }

  /** An empty run, at the start of the first chunk. */
  private clearRun(): void {
    this.head = this.tail = this.base = this.runSize = 0;
    this.keyChunks.length = 1;
    this.valueChunks.length = 1;
  }
}
