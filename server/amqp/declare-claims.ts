/**
 * Cluster mode (docs/cluster.md, "New durable exchanges and queues are decided
 * by PostgreSQL"): before this node declares a durable queue or exchange it
 * does not know, the shared database decides. The claim inserts the row, or
 * finds the one another node wrote first and applies it here, so that the
 * declare then answers as a redeclare of that definition (406 when it
 * differs), as on one node. Implemented by server/cluster/declare-claims.ts.
 */
import type { FieldTable } from '../broker/types';

export interface DeclareClaim {
  /** Undoes the claim when the declare it was for failed (the row this claim inserted goes). */
  release(): Promise<void>;
}

export interface DeclareClaims {
  queue(vhost: string, name: string, definition: { autoDelete: boolean; arguments: FieldTable }): Promise<DeclareClaim>;
  exchange(vhost: string, name: string, definition: { type: string; autoDelete: boolean; internal: boolean; arguments: FieldTable }): Promise<DeclareClaim>;
}
