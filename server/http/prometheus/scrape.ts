/**
 * What one scrape reads, taken at most once per scrape however many
 * families need it: summing 10,000 queues is done once, not per family.
 * A Scrape lives for one rendering of a registry.
 */
import type { Registry } from 'prom-client';
import type { BrokerTotals, ConnectionSummary, QueueFigures } from '../../broker/types';
import type { Services } from '../../services';

export class Scrape {
  private totalsRead: BrokerTotals | undefined;
  private queuesRead: QueueFigures[] | undefined;
  private connectionsRead: ConnectionSummary[] | undefined;
  private readonly remembered = new Map<object, unknown>();

  constructor(readonly services: Services) {}

  get broker() {
    return this.services.broker;
  }

  /** Engine-wide totals; their message counters only grow. */
  get totals(): BrokerTotals {
    return (this.totalsRead ??= this.broker.totals());
  }

  get queues(): QueueFigures[] {
    return (this.queuesRead ??= this.broker.queueFigures());
  }

  get connections(): ConnectionSummary[] {
    return (this.connectionsRead ??= this.broker.listConnections());
  }

  /** What `compute` returns, computed once per scrape for the same `key`. */
  once<T>(key: object, compute: () => T): T {
    if (!this.remembered.has(key)) this.remembered.set(key, compute());
    return this.remembered.get(key) as T;
  }
}

/**
 * Renders a registry family by family, one family per event-loop turn, so
 * that a scrape of 10,000 queues never holds the loop for the whole text
 * (AMQP traffic goes on between families); all families read one Scrape.
 * Scrapes run one at a time.
 */
export class ScrapeSource {
  private current: Scrape | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly services: () => Services) {}

  /** The scrape in progress (families call this while the registry renders). */
  get scrape(): Scrape {
    return (this.current ??= new Scrape(this.services()));
  }

  render(registry: Registry): Promise<string> {
    const rendering = this.queue.then(() => this.renderNow(registry));
    this.queue = rendering.catch(() => {});
    return rendering;
  }

  private async renderNow(registry: Registry): Promise<string> {
    this.current = new Scrape(this.services());
    try {
      const parts: string[] = [];
      for (const metric of registry.getMetricsAsArray()) {
        parts.push(await registry.getSingleMetricAsString(metric.name));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // As Registry.metrics() joins them.
      return `${parts.join('\n\n')}\n`;
    } finally {
      this.current = undefined;
    }
  }
}
