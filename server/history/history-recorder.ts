/**
 * Keeps the charts' history: after each broker sample (once a second) it adds
 * the broker's totals, every queue and every stream consumer group to the
 * minute in progress; when a minute is over, its points are written to the
 * metadata database (one batch, in the background, one write at a time) and
 * points past the retention are pruned now and then. Reading a range joins
 * the stored minutes with the minute in progress and the live per-second
 * samples of the last 15 minutes where the server keeps them.
 */
import type { Broker } from '../broker/broker';
import type { BrokerPoint, BrokerSampler } from '../metrics/broker-sampler';
import type { Sample } from '../metrics/ring';
import type { MetricHistoryStore } from '../store/metric-history';
import { BROKER_SERIES, MINUTE_MS, VALUE_KEYS, type HistoryPoint, type SeriesRef } from './history-point';
import { MinuteRollup, type MinutePoint } from './minute-rollup';

const BROKER_KEY = 'b';
/** The rollup's keys of series (short: one is built for every queue every second). */
const queueKey = (vhost: string, name: string) => `q\u0000${vhost}\u0000${name}`;
const groupKey = (vhost: string, stream: string, group: string) => `g\u0000${vhost}\u0000${stream}\u0000${group}`;
const rollupKey = (ref: SeriesRef) =>
  ref.kind === 'broker' ? BROKER_KEY : ref.kind === 'queue' ? queueKey(ref.vhost, ref.name) : groupKey(ref.vhost, ref.name, ref.group);

export const LIVE_WINDOW_MS = 15 * 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** At most this many points go to a chart: longer ranges average neighbouring minutes. */
const MAX_POINTS = 1500;

export interface HistoryRecorderOptions {
  retentionDays: number;
  log?: (line: string) => void;
}

export class HistoryRecorder {
  private readonly rollup = new MinuteRollup();
  private writing: Promise<void> = Promise.resolve();
  private lastPruneAt = 0;
  private unsubscribe: (() => void) | undefined;
  /** How long the last minute's write took and how many rows it wrote (for the logs and tests). */
  lastWrite: { rows: number; ms: number } | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly sampler: BrokerSampler,
    private readonly store: MetricHistoryStore,
    readonly options: HistoryRecorderOptions,
  ) {}

  start(): void {
    this.unsubscribe ??= this.sampler.subscribe((s) => this.record(s));
  }

  /** Stops recording and waits for the write in progress. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.writing;
  }

  /** Waits until every finished minute so far is in the database. */
  flushed(): Promise<void> {
    return this.writing;
  }

  /** Adds one second of samples; the sampler calls it, tests may with their own clock. */
  record(sample: Sample<BrokerPoint>): void {
    const finished = this.rollup.beginSecond(sample.at);
    if (finished.length > 0) this.enqueueWrite(finished, sample.at);
    const { rates, ready, unacked } = sample.value;
    const v = this.rollup.values;
    fill(v, ready, unacked, rates.published, rates.delivered, rates.acked, 0);
    v[REDELIVER] = rates.redelivered;
    v[RETURN] = rates.returned;
    v[DEAD_LETTER] = rates.deadLettered;
    this.rollup.add(BROKER_KEY, () => BROKER_SERIES);
    for (const q of this.sampler.lastQueues) {
      // Exclusive queues live and die with one connection (reply queues): not worth a history.
      if (q.ownerConnectionId !== null) continue;
      const r = this.sampler.queueRates(q.vhost, q.name);
      fill(v, q.ready, q.unacked, r.incoming, r.deliver, r.ack, q.consumers);
      v[OLDEST_AGE] = this.sampler.headAgeMs(q.vhost, q.name, sample.at) ?? Number.NaN;
      this.rollup.add(queueKey(q.vhost, q.name), () => ({ kind: 'queue', vhost: q.vhost, name: q.name, group: '' }));
    }
    for (const s of this.broker.streams.list()) {
      for (const g of this.broker.streams.groups(s.vhost, s.name)) {
        fill(v, 0, 0, 0, 0, 0, g.consumers);
        v[LAG_MESSAGES] = g.lag.messages;
        v[LAG_MS] = g.lag.ms;
        this.rollup.add(groupKey(s.vhost, s.name, g.name), () => ({ kind: 'group', vhost: s.vhost, name: s.name, group: g.name }));
      }
    }
  }

  /**
   * The points of one series over the last `rangeMs` before `now`: stored
   * minutes, the minute in progress, then `live` (per-second samples of the
   * last 15 minutes, when the caller has them) instead of the minutes they cover.
   */
  async points(ref: SeriesRef, rangeMs: number, now: number, live: HistoryPoint[] = []): Promise<HistoryPoint[]> {
    const stored = await this.store.read(ref, now - rangeMs, now);
    const partial = this.rollup.partial(rollupKey(ref));
    if (partial && (stored.at(-1)?.at ?? -1) < partial.at) stored.push({ at: partial.at, ...partial.values });
    const liveFrom = live[0]?.at ?? Infinity;
    const minutes = downsample(
      stored.filter((p) => p.at + MINUTE_MS <= liveFrom),
      rangeMs,
    );
    return [...minutes, ...live.filter((p) => p.at >= now - rangeMs)];
  }

  private enqueueWrite(points: MinutePoint[], now: number): void {
    this.writing = this.writing.then(async () => {
      try {
        const started = performance.now();
        const rows = await this.store.writeMinute(points);
        this.lastWrite = { rows, ms: performance.now() - started };
        if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
          this.lastPruneAt = now;
          await this.store.prune(now - this.options.retentionDays * 24 * 60 * MINUTE_MS);
        }
      } catch (error) {
        // The history is a nicety: a failed minute is logged and skipped, the broker goes on.
        this.options.log?.(`metric history: could not write a minute: ${(error as Error).message}`);
      }
    });
  }
}

const at = (key: (typeof VALUE_KEYS)[number]) => VALUE_KEYS.indexOf(key);
const [LAG_MESSAGES, LAG_MS, OLDEST_AGE, REDELIVER, RETURN, DEAD_LETTER] = (
  ['lagMessages', 'lagMs', 'oldestAgeMs', 'redeliverRate', 'returnRate', 'deadLetterRate'] as const
).map(at) as [number, number, number, number, number, number];

/** Sets the values every series has (in VALUE_KEYS order) and marks the others absent. */
function fill(v: Float64Array, ready: number, unacked: number, publish: number, deliver: number, ack: number, consumers: number): void {
  v.fill(Number.NaN);
  v[0] = ready;
  v[1] = unacked;
  v[2] = publish;
  v[3] = deliver;
  v[4] = ack;
  v[5] = consumers;
}

/** Averages runs of neighbouring minutes so that a range has at most MAX_POINTS points (7 days: 10-minute points). */
function downsample(points: HistoryPoint[], rangeMs: number): HistoryPoint[] {
  const step = Math.ceil(rangeMs / MINUTE_MS / MAX_POINTS);
  if (step <= 1) return points;
  const out: HistoryPoint[] = [];
  const bucketMs = step * MINUTE_MS;
  let bucket: HistoryPoint[] = [];
  const flush = () => {
    if (bucket.length === 0) return;
    const avg = { at: Math.floor(bucket[0]!.at / bucketMs) * bucketMs } as Record<string, number | null>;
    for (const key of Object.keys(bucket[0]!)) {
      if (key === 'at') continue;
      const present = bucket.map((p) => (p as unknown as Record<string, number | null>)[key]).filter((v): v is number => v !== null);
      avg[key] = present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
    }
    out.push(avg as unknown as HistoryPoint);
    bucket = [];
  };
  for (const p of points) {
    if (bucket.length > 0 && Math.floor(p.at / bucketMs) !== Math.floor(bucket[0]!.at / bucketMs)) flush();
    bucket.push(p);
  }
  flush();
  return out;
}
