/**
 * A node's control connection to PostgreSQL (docs/cluster.md, Membership):
 * one `pg` client of its own besides Prisma's pool, for heartbeats, the node
 * list and the change feed's LISTEN, so none of them waits behind other work.
 * When the connection breaks it is opened again every second, and LISTEN is
 * sent again; queries in between fail (the heartbeat says so in the log).
 */
import pg from 'pg';
import { redactUrl } from '../store/db/database-url';
import { describeCause } from '../store/db/errors';
import { ClusterError } from './errors';

/** Milliseconds to wait for PostgreSQL before calling it unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
const RECONNECT_MS = 1_000;

export interface ControlConnectionOptions {
  url: string;
  /** The node's name: PostgreSQL's application_name, which the feed records as a change's origin. */
  applicationName: string;
  /** LISTEN channel whose notifications call `onNotify`; none for the writer connection. */
  channel?: string;
  onNotify?: () => void;
  /** The connection broke (it is being opened again): the node may have lost its database. */
  onLost?: (cause: string) => void;
  /** The connection is open again after a break. */
  onReconnected?: () => void;
  log: (line: string) => void;
}

export class ControlConnection {
  private client: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Rejects each query under way, when the connection is given up while they wait (`reset`). */
  private readonly waiting = new Set<(error: Error) => void>();

  private constructor(private readonly options: ControlConnectionOptions) {}

  /** Connects once; a database that cannot be reached is a one-line ClusterError. */
  static async open(options: ControlConnectionOptions): Promise<ControlConnection> {
    const connection = new ControlConnection(options);
    try {
      await connection.connect();
    } catch (error) {
      throw new ClusterError(
        `Cannot reach PostgreSQL at ${where(options.url)} (${describeCause(error)}): cluster mode keeps its nodes and topology there; start it or fix DATABASE_URL (or --database-url).`,
      );
    }
    return connection;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const client = this.client;
    if (client === null) throw new Error(`no connection to PostgreSQL at ${where(this.options.url)} (reconnecting)`);
    let giveUp: (error: Error) => void = () => {};
    const abandoned = new Promise<never>((_, reject) => {
      giveUp = reject;
    });
    this.waiting.add(giveUp);
    try {
      return (await Promise.race([client.query<R>(sql, params), abandoned])).rows;
    } finally {
      this.waiting.delete(giveUp);
    }
  }

  /**
   * Gives the connection up (a query hangs, as over a network that drops
   * packets without resetting): the queries under way fail with `cause`, and
   * the connection is opened again as after a break.
   */
  reset(cause: string): void {
    if (this.client !== null) this.lost(this.client, new Error(cause));
  }

  /** Runs `work` with the client itself (for a sequence of statements such as the schema runner's). */
  async withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    if (this.client === null) throw new Error(`no connection to PostgreSQL at ${where(this.options.url)} (reconnecting)`);
    return work(this.client);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.options.onNotify?.();
    });
    try {
      await client.connect();
      if (this.options.channel !== undefined) await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.client = client;
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    for (const giveUp of this.waiting) giveUp(error ?? new Error('the connection closed'));
    this.waiting.clear();
    client.end().catch(() => {});
    const cause = error ? ` (${describeCause(error)})` : '';
    this.options.log(`lost the connection to PostgreSQL at ${where(this.options.url)}${cause}; reconnecting`);
    this.scheduleReconnect();
    this.options.onLost?.(`the connection to PostgreSQL at ${where(this.options.url)} broke${cause}`);
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.connect().then(
        () => {
          this.options.log(`connected to PostgreSQL at ${where(this.options.url)} again`);
          this.options.onNotify?.(); // notifications sent meanwhile are lost: look at the feed now
          this.options.onReconnected?.();
        },
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_MS);
  }
}

/** host:port/database of a URL, without user or password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}
