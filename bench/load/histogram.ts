// Latency histograms of the load generator, in the log-linear buckets
// amqp-load.c writes (bucket_of there): microseconds 0..7 one bucket each,
// then 8 buckets per power of two (about 9% wide). Both clients write the
// same buckets, so the driver merges them by adding counts.

export const BUCKETS = 320;

/** Bucket of a latency in nanoseconds, as bucket_of in amqp-load.c. */
export function bucketOf(ns: number): number {
  const us = Math.floor(ns / 1000);
  if (us < 8) return Math.max(0, us);
  const exp = Math.floor(Math.log2(us));
  const idx = (exp - 2) * 8 + (Math.floor(us / 2 ** (exp - 3)) & 7);
  return Math.min(idx, BUCKETS - 1);
}

/** The middle of a bucket, in milliseconds. */
function bucketMiddleMs(idx: number): number {
  if (idx < 8) return (idx + 0.5) / 1000;
  const exp = Math.floor(idx / 8) + 2;
  const width = 2 ** (exp - 3);
  return ((8 + (idx % 8)) * width + width / 2) / 1000;
}

export function mergeInto(total: number[], counts: readonly number[]): void {
  for (let i = 0; i < counts.length; i++) total[i] = (total[i] ?? 0) + counts[i]!;
}

/** The p-th percentile (0..100) of a histogram, in ms; NaN when it is empty. */
export function percentileMs(counts: readonly number[], p: number): number {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bucketMiddleMs(i);
  }
  return bucketMiddleMs(counts.length - 1);
}
