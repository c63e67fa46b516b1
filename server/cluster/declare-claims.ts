/**
 * The claim of a new durable queue or exchange (server/amqp/declare-claims.ts):
 * one INSERT … ON CONFLICT DO NOTHING of its row, on the control connection,
 * whose application_name marks the feed's row as this node's. When the row was
 * there already (another node declared it first, and its change has not come
 * through the feed yet), it is applied here now, so the engine answers the
 * declare as a redeclare of it: 406 when the definitions differ. The
 * TopologyStore's upsert after the declare then writes the same values.
 */
import type { DeclareClaim, DeclareClaims } from '../amqp/declare-claims';
import { encodeFieldTable } from '../store/field-table-json';
import type { ControlConnection } from './control-connection';
import type { QueueLeases } from './queue-leases';
import type { TopologyApplier } from './topology-apply';
import type { FeedTable } from './schema';

const NOTHING_TO_RELEASE: DeclareClaim = { release: async () => {} };

export class ClusterDeclareClaims implements DeclareClaims {
  constructor(
    private readonly connection: ControlConnection,
    private readonly applier: TopologyApplier,
    private readonly leases: QueueLeases,
    /** This node's name and incarnation, which a new durable queue's lease names. */
    private readonly owner: () => { node: string; incarnation: string },
  ) {}

  queue(vhost: string, name: string, definition: { autoDelete: boolean; arguments: Record<string, unknown> }): Promise<DeclareClaim> {
    const type = typeof definition.arguments['x-queue-type'] === 'string' ? definition.arguments['x-queue-type'] : 'classic';
    return this.claim(
      'Queue',
      vhost,
      name,
      ['type', 'durable', '"autoDelete"', 'arguments'],
      [type, true, definition.autoDelete, encodeFieldTable(definition.arguments)],
    );
  }

  exchange(
    vhost: string,
    name: string,
    definition: { type: string; autoDelete: boolean; internal: boolean; arguments: Record<string, unknown> },
  ): Promise<DeclareClaim> {
    return this.claim(
      'Exchange',
      vhost,
      name,
      ['type', 'durable', '"autoDelete"', 'internal', 'arguments'],
      [definition.type, true, definition.autoDelete, definition.internal, encodeFieldTable(definition.arguments)],
    );
  }

  private async claim(table: FeedTable & ('Queue' | 'Exchange'), vhost: string, name: string, columns: string[], values: unknown[]): Promise<DeclareClaim> {
    const placeholders = values.map((_, i) => `$${i + 3}`).join(', ');
    const insert = `INSERT INTO public."${table}" ("vhostId", name, ${columns.join(', ')})
       SELECT v.id, $2, ${placeholders} FROM public."Vhost" v WHERE v.name = $1
       ON CONFLICT ("vhostId", name) DO NOTHING RETURNING id`;
    // A new durable queue (not a stream: streams stay on their node) is this node's, at epoch 1, in the same statement.
    const leased = table === 'Queue' && values[0] !== 'stream';
    const { node, incarnation } = this.owner();
    const inserted = leased
      ? await this.connection.query<{ id: number }>(
          `WITH claimed AS (${insert}),
                lease AS (INSERT INTO warren_cluster.queue_lease (queue_id, node, incarnation, epoch)
                          SELECT id, $${values.length + 3}, $${values.length + 4}, 1 FROM claimed)
           SELECT id FROM claimed`,
          [vhost, name, ...values, node, incarnation],
        )
      : await this.connection.query<{ id: number }>(insert, [vhost, name, ...values]);
    const id = inserted[0]?.id;
    if (id !== undefined) {
      if (leased) this.leases.claimed(vhost, name, id);
      return { release: () => this.connection.query(`DELETE FROM public."${table}" WHERE id = $1`, [id]).then(() => undefined) };
    }
    // Another node's row (or no vhost row yet: this node's own vhost, still being written, and nothing to claim against).
    const existing = await this.connection.query<{ id: string; row: Record<string, unknown> }>(
      `SELECT t.id::text AS id, to_jsonb(t) AS row FROM public."${table}" t JOIN public."Vhost" v ON v.id = t."vhostId" WHERE v.name = $1 AND t.name = $2`,
      [vhost, name],
    );
    const found = existing[0];
    if (found) await this.applier.apply({ id: `claim of ${table.toLowerCase()} ${found.id}`, origin: 'the database', entity: table, op: 'I', row: found.row });
    return NOTHING_TO_RELEASE;
  }
}
