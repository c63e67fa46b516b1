/**
 * Metric families read from the broker when scraped, written out by
 * prom-client's Registry (HELP and TYPE lines, escaping, value format). The
 * values come straight from the engine's own counters, so nothing is counted
 * twice, and no label set is hashed per value as prom-client's Gauge.set
 * would: with 10,000 queues a scrape makes one small object per value and
 * formats each queue's labels once (prom-client caches `sharedLabels` by
 * object, and queueLabels keeps one object per queue).
 */
import type { Metric, Registry } from 'prom-client';
import type { BucketCounts } from '../../broker/bucket-counts';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  value: number;
  labels?: Labels;
  /** Labels formatted once per object by prom-client: give the same object to every family of one queue. */
  sharedLabels?: Labels;
  /** For a histogram's _bucket, _sum and _count lines. */
  metricName?: string;
}

export type FamilyType = 'counter' | 'gauge' | 'histogram';

class ReadFamily {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: FamilyType,
    private readonly read: () => Sample[],
  ) {}

  /** What prom-client's Registry asks of every metric it writes. */
  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.read() };
  }

  /** Registry.resetMetrics: nothing is kept here, the engine's counters are the state. */
  reset(): void {}
}

/** Registers a family whose samples `read` returns at each scrape (no samples: only its HELP and TYPE lines). */
export function family(registry: Registry, name: string, help: string, type: FamilyType, read: () => Sample[]): void {
  // prom-client's Registry takes any object with a name and get(); its type names only its own classes.
  registry.registerMetric(new ReadFamily(name, help, type, read) as unknown as Metric);
}

/** A family of one unlabelled value. */
export function single(registry: Registry, name: string, help: string, type: 'counter' | 'gauge', read: () => number): void {
  family(registry, name, help, type, () => [{ value: read() }]);
}

/**
 * A bucket bound as Prometheus 3 stores `le` (and as RabbitMQ's dashboards
 * query it): "100.0", "0.0001", "1e+06". Written so, Prometheus 2, which
 * keeps the text as scraped, matches those queries too.
 */
export function leLabel(bound: number): string {
  const exponent = Math.floor(Math.log10(Math.abs(bound)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, power] = bound.toExponential().split('e') as [string, string]; // toExponential() always writes an e
    return `${mantissa}e${power[0]}${power.slice(1).padStart(2, '0')}`;
  }
  return Number.isInteger(bound) ? `${bound}.0` : String(bound);
}

/** The _bucket (cumulative), _sum and _count lines of a histogram named `name`. */
export function histogramSamples(name: string, counts: BucketCounts, labels: Labels = {}): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  counts.bounds.forEach((bound, i) => {
    cumulative += counts.counts[i]!; // counts has one entry per bound and one for +Inf
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: leLabel(bound) }, value: cumulative });
  });
  samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: counts.count });
  samples.push({ metricName: `${name}_sum`, labels, value: counts.sum });
  samples.push({ metricName: `${name}_count`, labels, value: counts.count });
  return samples;
}
