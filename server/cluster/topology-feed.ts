/**
 * Reading the change feed (docs/cluster.md, Shared topology and the change
 * feed): rows of `warren_cluster.topology_change` after the last one seen, in
 * id order, which the triggers make commit order. Read on every NOTIFY (a
 * wake-up only, never a payload) and every second anyway, since a broken
 * connection loses notifications silently. The node's own changes are
 * skipped: it applied them before writing them.
 *
 * Rows older than an hour are deleted (`trimFeed`, at every node's start and
 * every ten minutes), and the highest id deleted is kept in the setting
 * `feed_trimmed_to`. A node that had not read them (it could not reach the
 * database for that long) learns it from its heartbeat and says so: it must
 * be restarted to load the topology again.
 */
import type { ControlConnection } from './control-connection';
import type { FeedTable } from './schema';

export const FEED_CHANNEL = 'warren_topology';
/** How long applied changes stay in the feed. */
export const FEED_RETENTION = '1 hour';
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
  private gapReported = false;

  constructor(
    private readonly connection: ControlConnection,
    private readonly nodeName: string,
    private readonly apply: (change: TopologyChange) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts after the newest change now: call before loading the topology, so that nothing made meanwhile is missed. */
  async skipToEnd(): Promise<void> {
    const rows = await this.connection.query<{ id: string | null }>(
      `SELECT greatest((SELECT max(id) FROM warren_cluster.topology_change),
                       (SELECT value::bigint FROM warren_cluster.setting WHERE key = 'feed_trimmed_to'))::text AS id`,
    );
    this.lastId = rows[0]?.id ?? '0';
  }

  /** Told the setting `feed_trimmed_to` with each heartbeat: rows this node had not read yet are gone when it is past `lastId`. */
  checkTrimmed(trimmedTo: string | null): void {
    if (trimmedTo === null || this.gapReported || BigInt(trimmedTo) <= BigInt(this.lastId)) return;
    this.gapReported = true;
    this.log(
      `topology feed: changes up to ${trimmedTo} were deleted from the feed before this node read them (it had read up to ${this.lastId}: ` +
        `it could not read the feed for over ${FEED_RETENTION}); restart this node to load the topology again`,
    );
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

/** Deletes the feed's rows older than FEED_RETENTION, keeping the highest id deleted in `feed_trimmed_to`. */
export async function trimFeed(connection: ControlConnection): Promise<void> {
  await connection.query(
    `WITH gone AS (DELETE FROM warren_cluster.topology_change WHERE at < now() - interval '${FEED_RETENTION}' RETURNING id)
     INSERT INTO warren_cluster.setting AS s (key, value)
     SELECT 'feed_trimmed_to', max(id)::text FROM gone HAVING count(*) > 0
     ON CONFLICT (key) DO UPDATE SET value = greatest(s.value::bigint, EXCLUDED.value::bigint)::text`,
  );
}
