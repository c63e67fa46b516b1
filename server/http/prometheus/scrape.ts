/**
 * What one scrape reads, taken at most once per scrape however many
 * families need it: summing 10,000 queues is done once, not per family.
 * prom-client's Registry asks every family for its values in the same
 * synchronous pass, so a Scrape lives for one call to Registry.metrics().
 */
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

/** Hands each family the scrape in progress: one Scrape per render. */
export class ScrapeSource {
  private current: Scrape | undefined;

  constructor(private readonly services: () => Services) {}

  /** The scrape in progress (families call this while the registry renders). */
  get scrape(): Scrape {
    return (this.current ??= new Scrape(this.services()));
  }

  /** Renders with a fresh Scrape; the families read it before the first await. */
  async render(metrics: () => Promise<string>): Promise<string> {
    this.current = undefined;
    const rendering = metrics();
    this.current = undefined;
    return rendering;
  }
}
