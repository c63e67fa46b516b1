/**
 * Reading the change feed (docs/cluster.md, Shared topology and the change
 * feed): rows of `warren_cluster.topology_change` after the last one seen, in
 * id order, which the triggers make commit order. Read on every NOTIFY (a
 * wake-up only, never a payload) and every second anyway, since a broken
 * connection loses notifications silently. The node's own changes are
 * skipped: it applied them before writing them.
 */
import type { ControlConnection } from './control-connection';
import type { FeedTable } from './schema';

export const FEED_CHANNEL = 'warren_topology';
const POLL_MS = 1_000;
const PAGE = 1_000;

export interface TopologyChange {
  id: string;
  origin: string;
  entity: FeedTable;
  op: 'I' | 'U' | 'D';
  /** The row after the change (before it, for a delete), without password hashes. */
  row: Record<string, unknown>;
}

export class TopologyFeed {
  private lastId = '0';
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly connection: ControlConnection,
    private readonly nodeName: string,
    private readonly apply: (change: TopologyChange) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts after the newest change now: call before loading the topology, so that nothing made meanwhile is missed. */
  async skipToEnd(): Promise<void> {
    const rows = await this.connection.query<{ id: string | null }>('SELECT max(id)::text AS id FROM warren_cluster.topology_change');
    this.lastId = rows[0]?.id ?? '0';
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.wake();
  }

  /** Reads the feed now (or again right after the read under way). */
  wake(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll()
      .catch((error: unknown) => this.log(`topology feed: ${error instanceof Error ? error.message : String(error)}; trying again`))
      .finally(() => {
        this.reading = null;
        if (this.again && this.timer) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Stops reading; resolves once a read under way is done. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reading;
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const rows = await this.connection.query<TopologyChange>(
        `SELECT id::text AS id, origin, entity, op, row FROM warren_cluster.topology_change
          WHERE id > $1::bigint ORDER BY id LIMIT ${PAGE}`,
        [this.lastId],
      );
      for (const change of rows) {
        if (change.origin !== this.nodeName) await this.apply(change);
        this.lastId = change.id;
      }
      if (rows.length < PAGE) return;
    }
  }
}
