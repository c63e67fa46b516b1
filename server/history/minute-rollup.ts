/**
 * Turns per-second samples into one point per series per wall-clock minute:
 * each sample is added to its series' running sums; the first sample of a new
 * minute closes the previous minute and hands its averages over. A value that
 * was absent in some seconds (a queue without ready messages has no oldest age)
 * averages over the seconds it had one, and is null if it never had.
 *
 * Called for every queue every second, so it allocates nothing per sample: the
 * caller fills `values` (NaN for an absent value, in VALUE_KEYS order) and calls add().
 */
import { MINUTE_MS, VALUE_KEYS, type HistoryValues, type SeriesRef } from './history-point';

const N = VALUE_KEYS.length;

interface Accumulator {
  ref: SeriesRef;
  sums: Float64Array;
  /** Seconds in which each value was present. */
  counts: Uint32Array;
}

export interface MinutePoint {
  ref: SeriesRef;
  /** Epoch ms of the minute's start. */
  at: number;
  values: HistoryValues;
}

export class MinuteRollup {
  /** One second of one series, filled by the caller before add(). */
  readonly values = new Float64Array(N);
  private minuteAt: number | undefined;
  private readonly series = new Map<string, Accumulator>();

  /**
   * Starts the samples of one second taken at `at`: when it is in a later
   * minute than the samples before, that minute's points are returned (else none).
   */
  beginSecond(at: number): MinutePoint[] {
    const minuteAt = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    if (this.minuteAt === minuteAt) return [];
    const done = this.minuteAt === undefined ? [] : this.finish(this.minuteAt);
    this.minuteAt = minuteAt;
    return done;
  }

  /** Adds `values` as one second of the series `key`; `ref` names it the first time it is seen. */
  add(key: string, ref: () => SeriesRef): void {
    let acc = this.series.get(key);
    if (!acc) {
      acc = { ref: ref(), sums: new Float64Array(N), counts: new Uint32Array(N) };
      this.series.set(key, acc);
    }
    const v = this.values;
    for (let i = 0; i < N; i++) {
      const x = v[i]!;
      if (Number.isNaN(x)) continue; // absent this second
      acc.sums[i]! += x;
      acc.counts[i]! += 1;
    }
  }

  /** The averages so far of the minute in progress, for a series (null before its first second). */
  partial(key: string): MinutePoint | null {
    const acc = this.series.get(key);
    if (!acc || this.minuteAt === undefined) return null;
    return { ref: acc.ref, at: this.minuteAt, values: averages(acc) };
  }

  private finish(at: number): MinutePoint[] {
    const out: MinutePoint[] = [];
    for (const acc of this.series.values()) out.push({ ref: acc.ref, at, values: averages(acc) });
    // Series not seen in the next minute (a deleted queue) are forgotten with this one.
    this.series.clear();
    return out;
  }
}

function averages(acc: Accumulator): HistoryValues {
  const values: Record<string, number | null> = {};
  for (let i = 0; i < N; i++) {
    const n = acc.counts[i]!;
    values[VALUE_KEYS[i]!] = n === 0 ? null : acc.sums[i]! / n;
  }
  return values as unknown as HistoryValues;
}
