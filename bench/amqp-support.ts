// Shared pieces of the AMQP benchmarks (bench/amqp-w*.ts): timestamped
// bodies, percentiles, and publishing that respects amqplib's back-pressure.

import { performance } from 'node:perf_hooks';
import type { Channel } from 'amqplib';

export const BODY_SIZE = 256;
export const PREFETCH = 100;

export interface WorkloadResult {
  /** Messages (or deliveries, for fan-out) per second, end to end. */
  rate: number;
  unit: 'msg/s' | 'deliveries/s';
  p50Ms?: number;
  p99Ms?: number;
  /** Extra figures, e.g. publish→confirm latency. */
  extra?: Record<string, number>;
}

/** A body of BODY_SIZE bytes whose first 8 bytes hold the send time (performance.now()). */
export function stampedBody(): Buffer {
  const body = Buffer.alloc(BODY_SIZE, 0x61);
  body.writeDoubleBE(performance.now(), 0);
  return body;
}

export function latencyMs(body: Buffer): number {
  return performance.now() - body.readDoubleBE(0);
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Collects latencies into a preallocated array; summary() sorts once. */
export class Latencies {
  private readonly values: Float64Array;
  private n = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    if (this.n < this.values.length) this.values[this.n++] = ms;
  }

  summary(): { p50Ms: number; p99Ms: number } {
    const sorted = this.values.subarray(0, this.n).sort();
    return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
  }
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Publishes `count` messages as fast as the client lets it: when amqplib's
 * write buffer is full (publish returns false) it waits for 'drain'.
 */
export async function publishAll(ch: Channel, count: number, publishOne: (i: number) => boolean): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (!publishOne(i)) await new Promise((resolve) => ch.once('drain', resolve));
  }
}

/** Resolves when `done()` becomes true, checking every few milliseconds; rejects after `timeoutMs`. */
export function until(done: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (done()) return resolve();
      if (Date.now() > deadline) return reject(new Error('benchmark timed out'));
      setTimeout(tick, 2);
    };
    tick();
  });
}
