/**
 * Samples the broker's counters once a second and turns them into what the
 * console charts: message rates and queued messages for the whole broker (a
 * ring at 1 s for 15 minutes; longer ranges are the metric history's, see
 * server/history/), and per queue its rates, a short depth history for the
 * table's sparklines, and 15 minutes of 5-second points for its page's
 * charts (queue-history.ts).
 *
 * The engine keeps only cheap monotonic counters; every rate is a difference
 * between two samples here, so the message path does no work for the charts.
 */
import type { Broker } from '../broker/broker';
import type { BrokerTotals, QueueStats } from '../broker/types';
import { type ArrivalEntries, ArrivalLog } from './arrivals';
import { Periodic } from './periodic';
import { QueueHistory, type QueuePoint } from './queue-history';
import { Ring, type Sample } from './ring';

export interface BrokerRates {
  published: number;
  delivered: number;
  acked: number;
  redelivered: number;
  returned: number;
  deadLettered: number;
}

export interface BrokerPoint {
  rates: BrokerRates;
  ready: number;
  unacked: number;
}

export interface QueueRates {
  incoming: number;
  deliver: number;
  ack: number;
  /** Share of the last second in which consumers could take messages at once (1 = always); null without consumers. */
  utilisation: number | null;
}

export interface ConnectionRates {
  receivedBytesPerSecond: number;
  sentBytesPerSecond: number;
}

export interface ChannelRates {
  /** Messages per second published on the channel and delivered on it. */
  publish: number;
  deliver: number;
}

export interface ExchangeRates {
  /** Messages published to the exchange per second. */
  publishIn: number;
  /** Messages it routed on per second (to queues and exchanges). */
  publishOut: number;
}

interface ExchangeSeries {
  publishedIn: number;
  publishedOut: number;
  rates: ExchangeRates;
}

interface ConnectionSeries {
  received: number;
  sent: number;
  rates: ConnectionRates;
}

interface ChannelSeries {
  published: number;
  delivered: number;
  rates: ChannelRates;
}

interface QueueSeries {
  last: QueueStats['counters'];
  lastSaturatedMs: number;
  arrivals: ArrivalLog;
  headSeq: number | null;
  rates: QueueRates;
  depth: Ring<number>;
  history: QueueHistory;
}

const RATE_KEYS = ['published', 'delivered', 'acked', 'redelivered', 'returned', 'deadLettered'] as const;
const SPARK_POINTS = 60;
const NO_RATES: QueueRates = Object.freeze({ incoming: 0, deliver: 0, ack: 0, utilisation: null });
const NO_EXCHANGE_RATES: ExchangeRates = Object.freeze({ publishIn: 0, publishOut: 0 });
const NO_TRAFFIC: ConnectionRates = Object.freeze({ receivedBytesPerSecond: 0, sentBytesPerSecond: 0 });
const NO_CHANNEL_RATES: ChannelRates = Object.freeze({ publish: 0, deliver: 0 });

/** One queue's arrival log, as kept across a restart. */
export interface ArrivalRecord extends ArrivalEntries {
  vhost: string;
  name: string;
}

export function queueKey(vhost: string, name: string): string {
  return `${vhost}\u0000${name}`;
}

export class BrokerSampler extends Periodic<BrokerPoint> {
  readonly perSecond = new Ring<BrokerPoint>(15 * 60);
  private readonly queues = new Map<string, QueueSeries>();
  /** Arrival logs from before a restart, taken up by each queue's first sample. */
  private readonly restoredArrivals = new Map<string, ArrivalLog>();
  private readonly connections = new Map<string, ConnectionSeries>();
  private readonly channels = new Map<string, ChannelSeries>();
  private readonly exchanges = new Map<string, ExchangeSeries>();
  /** The queues as the last sample saw them (what the history and the alerts read, without listing them again). */
  lastQueues: readonly QueueStats[] = [];
  private lastTotals: BrokerTotals | undefined;
  private lastAt = 0;

  constructor(
    private readonly broker: Broker,
    intervalMs = 1000,
  ) {
    super(intervalMs);
  }

  /** Messages per second into and out of an exchange. */
  exchangeRates(vhost: string, name: string): ExchangeRates {
    return this.exchanges.get(queueKey(vhost, name))?.rates ?? NO_EXCHANGE_RATES;
  }

  /**
   * How long the oldest ready message of a queue has waited, to the second
   * (measured from the first sample that saw it: a lower bound for messages
   * older than the broker's start); null when the queue has no ready message.
   */
  headAgeMs(vhost: string, name: string, now = Date.now()): number | null {
    const s = this.queues.get(queueKey(vhost, name));
    if (!s || s.headSeq === null) return null;
    const by = s.arrivals.arrivedBy(s.headSeq);
    return by === null ? 0 : Math.max(0, now - by);
  }

  /** The arrival logs of queues holding ready messages, to keep across a restart (arrival-file.ts). */
  arrivalRecords(): ArrivalRecord[] {
    const out: ArrivalRecord[] = [];
    for (const [key, s] of this.queues) {
      if (s.headSeq === null || s.arrivals.size === 0) continue;
      const [vhost = '', name = ''] = key.split('\u0000');
      out.push({ vhost, name, ...s.arrivals.entries() });
    }
    return out;
  }

  /** Takes up arrival logs noted before a restart, so that ages go on from them instead of from this start. */
  restoreArrivals(records: ArrivalRecord[]): void {
    for (const r of records) this.restoredArrivals.set(queueKey(r.vhost, r.name), ArrivalLog.from(r));
  }

  /** Bytes per second a connection received and sent over the last second. */
  connectionRates(id: string): ConnectionRates {
    return this.connections.get(id)?.rates ?? NO_TRAFFIC;
  }

  /**
   * How fast a queue's depth (ready + unacked) changed over the last
   * `windowMs`, in messages per second: its in − out. Null until two samples
   * at least two seconds apart are in the window.
   */
  queueGrowth(vhost: string, name: string, windowMs = 10_000, now = Date.now()): number | null {
    const points = this.queues.get(queueKey(vhost, name))?.depth.toArray(now - windowMs);
    const first = points?.[0];
    const last = points?.at(-1);
    if (!first || !last || last.at - first.at < 2_000) return null;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  }

  /** Messages per second published and delivered on one channel of a connection. */
  channelRates(connectionId: string, channel: number): ChannelRates {
    return this.channels.get(queueKey(connectionId, String(channel)))?.rates ?? NO_CHANNEL_RATES;
  }

  /** Per-second rates of one queue (zeros before its second sample). */
  queueRates(vhost: string, name: string): QueueRates {
    return this.queues.get(queueKey(vhost, name))?.rates ?? NO_RATES;
  }

  /** Per-second rates of one queue and its depth over the last minute. */
  queueSeries(vhost: string, name: string): { rates: QueueRates; depth: number[] } {
    const s = this.queues.get(queueKey(vhost, name));
    return s ? { rates: s.rates, depth: s.depth.toArray().map((p) => p.value) } : { rates: NO_RATES, depth: [] };
  }

  /** A queue's depth and rates every 5 s since `since` (at most 15 minutes back), oldest first; empty for a queue not sampled yet. */
  queueHistory(vhost: string, name: string, since: number): ({ at: number } & QueuePoint)[] {
    return this.queues.get(queueKey(vhost, name))?.history.points(since) ?? [];
  }

  protected take(): Sample<BrokerPoint> {
    const at = Date.now();
    const seconds = this.lastAt ? Math.max((at - this.lastAt) / 1000, 0.001) : 1;
    const totals = this.broker.totals();
    const rates = {} as BrokerRates;
    for (const k of RATE_KEYS) rates[k] = this.lastTotals ? Math.max(0, totals[k] - this.lastTotals[k]) / seconds : 0;
    const point: BrokerPoint = { rates, ready: totals.ready, unacked: totals.unacked };
    this.lastTotals = totals;
    this.lastAt = at;
    this.sampleQueues(at, seconds);
    this.sampleConnections(seconds);
    this.sampleExchanges(seconds);

    const sample = { at, value: point };
    this.perSecond.push(sample);
    return sample;
  }

  private sampleQueues(at: number, seconds: number): void {
    const seen = new Set<string>();
    this.lastQueues = this.broker.listQueues();
    for (const q of this.lastQueues) {
      const key = queueKey(q.vhost, q.name);
      seen.add(key);
      let s = this.queues.get(key);
      if (!s) {
        s = {
          last: q.counters,
          lastSaturatedMs: q.consumersSaturatedMs,
          arrivals: this.restoredArrivals.get(key) ?? new ArrivalLog(),
          headSeq: null,
          rates: NO_RATES,
          depth: new Ring<number>(SPARK_POINTS),
          history: new QueueHistory(),
        };
        this.queues.set(key, s);
        this.restoredArrivals.delete(key);
      } else {
        const saturated = Math.min(1, Math.max(0, (q.consumersSaturatedMs - s.lastSaturatedMs) / (seconds * 1000)));
        s.rates = {
          incoming: Math.max(0, q.counters.published - s.last.published) / seconds,
          deliver: Math.max(0, q.counters.delivered - s.last.delivered) / seconds,
          ack: Math.max(0, q.counters.acked - s.last.acked) / seconds,
          utilisation: q.consumers > 0 ? 1 - saturated : null,
        };
        s.last = q.counters;
        s.lastSaturatedMs = q.consumersSaturatedMs;
      }
      s.depth.push({ at, value: q.ready + q.unacked });
      s.history.note(at, q);
      s.headSeq = q.headSeq;
      s.arrivals.note(q.nextSeq, at);
      if (q.headSeq !== null) s.arrivals.forgetBefore(q.headSeq);
    }
    for (const key of this.queues.keys()) if (!seen.has(key)) this.queues.delete(key);
  }

  private sampleExchanges(seconds: number): void {
    const seen = new Set<string>();
    for (const e of this.broker.listExchanges()) {
      const key = queueKey(e.vhost, e.name);
      seen.add(key);
      const last = this.exchanges.get(key);
      const { publishedIn, publishedOut } = e.counters;
      const rates = last
        ? { publishIn: Math.max(0, publishedIn - last.publishedIn) / seconds, publishOut: Math.max(0, publishedOut - last.publishedOut) / seconds }
        : NO_EXCHANGE_RATES;
      this.exchanges.set(key, { publishedIn, publishedOut, rates });
    }
    for (const key of this.exchanges.keys()) if (!seen.has(key)) this.exchanges.delete(key);
  }

  private sampleConnections(seconds: number): void {
    const seen = new Set<string>();
    for (const c of this.broker.listConnections()) {
      seen.add(c.id);
      const last = this.connections.get(c.id);
      const rates = last
        ? {
            receivedBytesPerSecond: Math.max(0, c.bytesReceived - last.received) / seconds,
            sentBytesPerSecond: Math.max(0, c.bytesSent - last.sent) / seconds,
          }
        : NO_TRAFFIC;
      this.connections.set(c.id, { received: c.bytesReceived, sent: c.bytesSent, rates });
    }
    for (const id of this.connections.keys()) if (!seen.has(id)) this.connections.delete(id);
    this.sampleChannels(seen, seconds);
  }

  private sampleChannels(connectionIds: Set<string>, seconds: number): void {
    const seen = new Set<string>();
    for (const id of connectionIds) {
      for (const ch of this.broker.getConnection(id)?.channels.values() ?? []) {
        const key = queueKey(id, String(ch.number));
        seen.add(key);
        const last = this.channels.get(key);
        const rates = last
          ? { publish: Math.max(0, ch.published - last.published) / seconds, deliver: Math.max(0, ch.delivered - last.delivered) / seconds }
          : NO_CHANNEL_RATES;
        this.channels.set(key, { published: ch.published, delivered: ch.delivered, rates });
      }
    }
    for (const key of this.channels.keys()) if (!seen.has(key)) this.channels.delete(key);
  }
}
