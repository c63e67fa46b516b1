// A binary min-heap of (due time, seq) pairs kept column-wise in two
// Float64Arrays: 16 bytes a pair, no object per entry. Ties on the due time
// go by seq (arrival order). Capacity doubles when full. Slots read are
// below size (or slot 0, which every capacity has), hence the `!`s.

export class DueHeap {
  private dues: Float64Array;
  private seqs: Float64Array;
  size = 0;

  constructor(capacity = 16) {
    this.dues = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
  }

  /** Due time and seq at the top; read only while size > 0. */
  get topDue(): number {
    return this.dues[0]!;
  }

  get topSeq(): number {
    return this.seqs[0]!;
  }

  push(due: number, seq: number): void {
    if (this.size === this.dues.length) this.resize(this.size * 2);
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.slotBefore(parent, due, seq)) break;
      this.dues[i] = this.dues[parent]!;
      this.seqs[i] = this.seqs[parent]!;
      i = parent;
    }
    this.dues[i] = due;
    this.seqs[i] = seq;
  }

  /** Removes the top pair. */
  pop(): void {
    const last = --this.size;
    if (last <= 0) return;
    const due = this.dues[last]!;
    const seq = this.seqs[last]!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.slotBefore(right, this.dues[left]!, this.seqs[left]!) ? right : left;
      if (!this.slotBefore(child, due, seq)) break;
      this.dues[i] = this.dues[child]!;
      this.seqs[i] = this.seqs[child]!;
      i = child;
    }
    this.dues[i] = due;
    this.seqs[i] = seq;
  }

  /** A copy to pop from without changing this one. */
  clone(): DueHeap {
    const copy = new DueHeap(Math.max(1, this.size));
    copy.dues.set(this.dues.subarray(0, this.size));
    copy.seqs.set(this.seqs.subarray(0, this.size));
    copy.size = this.size;
    return copy;
  }

  clear(): void {
    this.size = 0;
  }

  /** Whether slot `i` comes before (due, seq). */
  private slotBefore(i: number, due: number, seq: number): boolean {
    const d = this.dues[i]!;
    return d < due || (d === due && this.seqs[i]! < seq);
  }

  private resize(capacity: number): void {
    const dues = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    dues.set(this.dues.subarray(0, this.size));
    seqs.set(this.seqs.subarray(0, this.size));
    this.dues = dues;
    this.seqs = seqs;
  }
}
