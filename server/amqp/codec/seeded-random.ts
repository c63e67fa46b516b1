/**
 * Small deterministic random generator (mulberry32) for property-based and
 * fuzz tests: a failing seed reproduces the same inputs.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(): boolean {
    return this.next() < 0.5;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const word = Math.floor(this.next() * 4294967296);
      for (let k = 0; k < 4 && i + k < n; k++) b[i + k] = (word >>> (8 * k)) & 255;
    }
    return b;
  }

  /** Mixed ASCII and multi-byte characters, at most maxBytes UTF-8 bytes. */
  string(maxBytes: number): string {
    const alphabet = ['a', 'b', 'z', '.', '-', '_', '#', '*', ' ', 'é', '中', '😀'];
    let s = '';
    const target = this.int(0, maxBytes);
    for (;;) {
      const c = this.pick(alphabet);
      if (Buffer.byteLength(s + c) > target) return s;
      s += c;
    }
  }
}
