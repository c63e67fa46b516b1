/**
 * Membership (docs/cluster.md, Membership and heartbeats): a node's row in
 * `warren_cluster.cluster_node`, taken at start, renewed every second, marked
 * 'left' at a clean stop. A name is held while its lease runs (5 s after the
 * last heartbeat, PostgreSQL's clock on both sides): a second node with the
 * same name is refused; a row whose lease ran out, or the same data
 * directory started again, is taken over.
 */
import type { ControlConnection } from './control-connection';
import { ClusterError } from './errors';

export const HEARTBEAT_MS = 1_000;
export const LEASE_SECONDS = 5;

export interface NodeAddresses {
  amqp: string;
  http: string;
}

/** What a node says of itself with each heartbeat, for the Nodes page. */
export interface NodeSummary {
  connections: number;
  memoryBytes: number;
}

/** A queue's counts as its owner writes them with its heartbeats: ready, unacked, consumers, ready bytes. */
export interface OwnerCounts {
  ready: number;
  unacked: number;
  consumers: number;
  readyBytes: number;
}

/** The counts of the queues a node owns, by vhost and queue name, as stored in `cluster_node.queue_counts`. */
export type OwnedQueueCounts = Record<string, Record<string, [ready: number, unacked: number, consumers: number, readyBytes: number]>>;

/** live: heartbeats arrive; stale: its lease ran out without a clean stop; left: stopped cleanly. */
export type NodeStatus = 'live' | 'stale' | 'left';

export interface ClusterNodeInfo {
  name: string;
  status: NodeStatus;
  amqpAddress: string;
  httpAddress: string;
  version: string;
  /** Epoch ms, PostgreSQL's clock. */
  startedAt: number;
  lastHeartbeatAt: number;
  /** Since the last heartbeat, PostgreSQL's clock. */
  lastHeartbeatAgoMs: number;
  /** Since start, for a live node; null otherwise. */
  uptimeMs: number | null;
  connections: number | null;
  memoryBytes: number | null;
  /** The node answering. */
  self: boolean;
}

export interface Identity {
  name: string;
  nodeId: string;
  version: string;
}

interface NodeRow {
  name: string;
  state: 'running' | 'left';
  amqp_address: string;
  http_address: string;
  version: string;
  started_ms: number;
  seen_ms: number;
  seen_ago_ms: number;
  up_ms: number;
  leased: boolean;
  summary: Partial<NodeSummary>;
}

/** Takes the node's name for a new incarnation; ClusterError when a running node holds it. */
export async function join(connection: ControlConnection, me: Identity, addresses: NodeAddresses): Promise<string> {
  const rows = await connection.query<{ incarnation: string }>(
    `INSERT INTO warren_cluster.cluster_node AS n
            (name, node_id, incarnation, amqp_address, http_address, version, state, started_at, last_seen_at, lease_expires_at)
     VALUES ($1, $2, nextval('warren_cluster.incarnation_seq'), $3, $4, $5, 'running', now(), now(), now() + make_interval(secs => $6))
     ON CONFLICT (name) DO UPDATE
        SET node_id = EXCLUDED.node_id, incarnation = EXCLUDED.incarnation, amqp_address = EXCLUDED.amqp_address,
            http_address = EXCLUDED.http_address, version = EXCLUDED.version, state = 'running', started_at = now(),
            last_seen_at = now(), lease_expires_at = EXCLUDED.lease_expires_at, summary = '{}', queue_counts = '{}'
      WHERE n.node_id = EXCLUDED.node_id OR n.lease_expires_at < now() OR n.state = 'left'
     RETURNING incarnation`,
    [me.name, me.nodeId, addresses.amqp, addresses.http, me.version, LEASE_SECONDS],
  );
  const incarnation = rows[0]?.incarnation;
  if (incarnation !== undefined) return incarnation;
  const holder = await connection.query<{ amqp_address: string; ago: number }>(
    `SELECT amqp_address, extract(epoch FROM now() - last_seen_at)::float8 AS ago FROM warren_cluster.cluster_node WHERE name = $1`,
    [me.name],
  );
  const h = holder[0];
  throw new ClusterError(
    `Node name '${me.name}' is in use by a running node (${h?.amqp_address ?? 'address unknown'}, last heartbeat ${(h?.ago ?? 0).toFixed(1)} s ago); ` +
      'give this node another WARREN_NODE_NAME (or --node-name) or stop that one.',
  );
}

/** What a heartbeat writes besides the lease: JSON strings, null when unchanged since the last heartbeat. */
export interface HeartbeatWrites {
  /** The counts of the queues the node owns (OwnedQueueCounts). */
  queueCounts: string | null;
  /** The node's client connections as the consoles list them. */
  connectionRows: string | null;
}

/** A close of one of a node's client connections, asked for on another node's console. */
export interface CloseRequest {
  id: string;
  reason: string;
}

/** Close requests older than this are dropped unread: the console that asked has said it failed. */
export const CLOSE_REQUEST_SECONDS = 10;

/**
 * Renews the lease: `renewed` is false when it had run out (another node may
 * hold the name now). Also says how far the change feed was trimmed
 * (topology-feed.ts) and takes the close requests for the node's connections,
 * which costs nothing more than the round trip.
 */
export async function heartbeat(
  connection: ControlConnection,
  name: string,
  incarnation: string,
  addresses: NodeAddresses,
  summary: NodeSummary,
  writes: HeartbeatWrites,
): Promise<{ renewed: boolean; feedTrimmedTo: string | null; closeRequests: CloseRequest[] }> {
  const rows = await connection.query<{ renewed: boolean; trimmed_to: string | null; close_requests: CloseRequest[] }>(
    `WITH beat AS (
       UPDATE warren_cluster.cluster_node
          SET last_seen_at = now(), lease_expires_at = now() + make_interval(secs => $3),
              amqp_address = $4, http_address = $5, summary = $6, queue_counts = coalesce($7::jsonb, queue_counts),
              connection_rows = coalesce($8::jsonb, connection_rows)
        WHERE name = $1 AND incarnation = $2 AND lease_expires_at > now()
       RETURNING 1),
     closing AS (
       DELETE FROM warren_cluster.connection_close WHERE node = $1 AND EXISTS (SELECT 1 FROM beat)
       RETURNING connection_id, reason, requested_at)
     SELECT EXISTS (SELECT 1 FROM beat) AS renewed,
            (SELECT value FROM warren_cluster.setting WHERE key = 'feed_trimmed_to') AS trimmed_to,
            (SELECT coalesce(json_agg(json_build_object('id', connection_id, 'reason', reason)), '[]')
               FROM closing WHERE requested_at > now() - make_interval(secs => $9)) AS close_requests`,
    [
      name,
      incarnation,
      LEASE_SECONDS,
      addresses.amqp,
      addresses.http,
      JSON.stringify(summary),
      writes.queueCounts,
      writes.connectionRows,
      CLOSE_REQUEST_SECONDS,
    ],
  );
  return { renewed: rows[0]?.renewed === true, feedTrimmedTo: rows[0]?.trimmed_to ?? null, closeRequests: rows[0]?.close_requests ?? [] };
}

/** A clean stop: the name is free at once. */
export async function leave(connection: ControlConnection, name: string, incarnation: string): Promise<void> {
  await connection.query(
    `UPDATE warren_cluster.cluster_node SET state = 'left', last_seen_at = now(), lease_expires_at = now()
      WHERE name = $1 AND incarnation = $2`,
    [name, incarnation],
  );
}

/** The counts of the queues the other live nodes own, as they wrote them with their last heartbeats, by vhost and queue name. */
export async function ownerCounts(connection: ControlConnection, self: string): Promise<Map<string, OwnerCounts>> {
  const rows = await connection.query<{ queue_counts: OwnedQueueCounts }>(
    `SELECT queue_counts FROM warren_cluster.cluster_node WHERE name <> $1 AND state = 'running' AND lease_expires_at > now()`,
    [self],
  );
  const counts = new Map<string, OwnerCounts>();
  for (const row of rows) {
    for (const [vhost, queues] of Object.entries(row.queue_counts)) {
      for (const [queue, [ready, unacked, consumers, readyBytes]] of Object.entries(queues)) {
        counts.set(`${vhost}\u0000${queue}`, { ready, unacked, consumers, readyBytes });
      }
    }
  }
  return counts;
}

/** One other node's client connections as its last heartbeat wrote them. */
export interface NodeConnections {
  node: string;
  /** Its AMQP listener, "host:port": where its clients connected. */
  listener: string;
  rows: unknown[];
}

/** The client connections of the other live nodes, as they wrote them with their last heartbeats. */
export async function connectionsElsewhere(connection: ControlConnection, self: string): Promise<NodeConnections[]> {
  const rows = await connection.query<{ name: string; amqp_address: string; connection_rows: unknown[] }>(
    `SELECT name, amqp_address, connection_rows FROM warren_cluster.cluster_node
      WHERE name <> $1 AND state = 'running' AND lease_expires_at > now() ORDER BY name`,
    [self],
  );
  return rows.map((r) => ({ node: r.name, listener: r.amqp_address, rows: r.connection_rows }));
}

/** Asks node `node` to close its connection `id` at its next heartbeat. */
export async function requestClose(connection: ControlConnection, node: string, id: string, reason: string): Promise<void> {
  // Requests that no node took in time (their node is gone) go on the way.
  await connection.query(
    `WITH dropped AS (DELETE FROM warren_cluster.connection_close WHERE requested_at < now() - make_interval(secs => $4)
                                   AND (node, connection_id) <> ($1, $2))
     INSERT INTO warren_cluster.connection_close (node, connection_id, reason) VALUES ($1, $2, $3)
     ON CONFLICT (node, connection_id) DO UPDATE SET reason = EXCLUDED.reason, requested_at = now()`,
    [node, id, reason, CLOSE_REQUEST_SECONDS],
  );
}

/** Whether node `node` has taken the close request of its connection `id` (or it was dropped). */
export async function closeTaken(connection: ControlConnection, node: string, id: string): Promise<boolean> {
  const rows = await connection.query('SELECT 1 FROM warren_cluster.connection_close WHERE node = $1 AND connection_id = $2', [node, id]);
  return rows.length === 0;
}

/** Every node the cluster has seen, by name. */
export async function listNodes(connection: ControlConnection, self: string): Promise<ClusterNodeInfo[]> {
  const rows = await connection.query<NodeRow>(
    `SELECT name, state, amqp_address, http_address, version, summary,
            (extract(epoch FROM started_at) * 1000)::float8 AS started_ms,
            (extract(epoch FROM last_seen_at) * 1000)::float8 AS seen_ms,
            (extract(epoch FROM now() - last_seen_at) * 1000)::float8 AS seen_ago_ms,
            (extract(epoch FROM now() - started_at) * 1000)::float8 AS up_ms,
            lease_expires_at > now() AS leased
       FROM warren_cluster.cluster_node ORDER BY name`,
  );
  return rows.map((r) => {
    const status: NodeStatus = r.state === 'left' ? 'left' : r.leased ? 'live' : 'stale';
    return {
      name: r.name,
      status,
      amqpAddress: r.amqp_address,
      httpAddress: r.http_address,
      version: r.version,
      startedAt: Math.round(r.started_ms),
      lastHeartbeatAt: Math.round(r.seen_ms),
      lastHeartbeatAgoMs: Math.max(0, Math.round(r.seen_ago_ms)),
      uptimeMs: status === 'live' ? Math.round(r.up_ms) : null,
      connections: status === 'live' ? (r.summary.connections ?? null) : null,
      memoryBytes: status === 'live' ? (r.summary.memoryBytes ?? null) : null,
      self: r.name === self,
    };
  });
}
