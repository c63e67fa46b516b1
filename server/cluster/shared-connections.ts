/**
 * Client connections across the cluster (docs/cluster.md, Connections on
 * every node): each node writes the rows of its own client connections with
 * its heartbeat (only when they changed), every console reads the other live
 * nodes' rows from PostgreSQL, and a close asked for on one node's console is
 * a request row that the connection's node takes with its next heartbeat. No
 * node-to-node call: a node that cannot be reached shows nothing rather than
 * making every console wait for it.
 */
import { type CloseRequest, closeTaken, connectionsElsewhere, HEARTBEAT_MS, type NodeConnections, requestClose } from './membership';
import type { ControlConnection } from './control-connection';

/** This node's client connections as the consoles list them, and how to close one. */
export interface LocalConnections {
  /** JSON-safe rows, each with its `id`. */
  rows(): unknown[];
  /** Closes connection `id` with connection.close (320 CONNECTION_FORCED); false when it is no longer open. */
  close(id: string, reason: string): boolean;
}

/** How long a console's close waits for the connection's node to take the request: a few of its heartbeats. */
const CLOSE_WAIT_MS = 4 * HEARTBEAT_MS;
const CLOSE_POLL_MS = 100;

export class SharedConnections {
  private local: LocalConnections | null = null;
  /** The rows the last heartbeat wrote (JSON): unchanged ones are not written again. */
  private written = '';
  /** The other nodes' rows, read at most once a heartbeat. */
  private read: { at: number; rows: Promise<NodeConnections[]> } | null = null;

  constructor(
    private readonly connection: ControlConnection,
    private readonly self: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Where this node's rows come from, once its consoles' services exist. */
  attach(local: LocalConnections): void {
    this.local = local;
  }

  /** The rows for this heartbeat to write, as JSON; null when the last one wrote the same. */
  toWrite(): string | null {
    const rows = JSON.stringify(this.local?.rows() ?? []);
    return rows === this.written ? null : rows;
  }

  /** What a heartbeat wrote and the close requests it took for this node's connections. */
  beaten(written: string | null, requests: CloseRequest[]): void {
    if (written !== null) this.written = written;
    for (const { id, reason } of requests) {
      const closed = this.local?.close(id, reason) ?? false;
      this.log(`connection ${id} ${closed ? 'closed' : 'was already closed'} at another node's request: ${reason}`);
    }
  }

  /** A new incarnation's row starts without rows. */
  rejoined(): void {
    this.written = '';
  }

  /** The client connections of the other live nodes as of their last heartbeats. */
  elsewhere(): Promise<NodeConnections[]> {
    const now = performance.now();
    if (this.read === null || now - this.read.at > HEARTBEAT_MS) {
      this.read = { at: now, rows: connectionsElsewhere(this.connection, this.self) };
      this.read.rows.catch(() => (this.read = null)); // a failed read is not kept for the next caller
    }
    return this.read.rows;
  }

  /** Asks node `node` to close its connection `id`; why it could not be done, else null once the node has taken the request. */
  async close(node: string, id: string, reason: string): Promise<string | null> {
    await requestClose(this.connection, node, id, reason);
    const until = performance.now() + CLOSE_WAIT_MS;
    while (performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, CLOSE_POLL_MS));
      if (await closeTaken(this.connection, node, id)) return null;
    }
    return `node '${node}' did not take the request within ${CLOSE_WAIT_MS / 1000} s (is it overloaded or cut off from PostgreSQL?); try again`;
  }
}
