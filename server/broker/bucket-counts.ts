// Observations counted into fixed buckets, as a Prometheus histogram holds
// them: one counter per upper bound (the last one +Inf), a sum and a count.
// Observing is a short scan and two additions, cheap enough for a hot path;
// the numbers only grow. Pure data: whoever exports it formats it.

export class BucketCounts {
  /** counts[i]: observations <= bounds[i] and above the bound before; the last is above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  /** `bounds`: the upper bounds, ascending, without +Inf. */
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++; // i <= bounds.length: counts has one more entry than bounds
    this.sum += value;
    this.count++;
  }
}
