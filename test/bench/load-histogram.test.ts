import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketOf, percentileMs } from '../../bench/load/histogram';

describe('load generator histograms', () => {
  it('puts a latency in a bucket whose middle is within 10% of it', () => {
    for (const ms of [0.02, 0.3, 1, 2.5, 17, 480, 9000]) {
      const counts = new Array<number>(BUCKETS).fill(0);
      counts[bucketOf(ms * 1e6)] = 1;
      expect(Math.abs(percentileMs(counts, 50) - ms) / ms).toBeLessThan(0.1);
    }
  });

  it('reads percentiles from counts: 99 fast deliveries and one slow one', () => {
    const counts = new Array<number>(BUCKETS).fill(0);
    counts[bucketOf(1e6)] = 99;
    counts[bucketOf(200e6)] = 1;
    expect(percentileMs(counts, 50)).toBeCloseTo(1, 0);
    expect(percentileMs(counts, 99)).toBeCloseTo(1, 0);
    expect(percentileMs(counts, 99.9)).toBeGreaterThan(180);
    expect(percentileMs(new Array<number>(BUCKETS).fill(0), 50)).toBeNaN();
  });
});
