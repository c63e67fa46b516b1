/**
 * The engine's Store in cluster mode (docs/cluster.md, Messages in
 * PostgreSQL): messages of the durable queues this node owns go to
 * PostgreSQL through the batch writer, fenced by their leases' epochs;
 * everything else goes to the node's own DurableStore as on one node
 * (topology through Prisma; the journal for queues without a lease, such as
 * retry holding areas).
 *
 * A persistent message that still reaches a durable queue this node does not
 * own (forwarding sends publishes and dead letters to the owner, or holds them
 * for the next one; console moves do not yet, nor a queue whose lease this
 * node has not read yet) cannot be stored by this node: the publish's confirm
 * is a nack saying so. Names that are
 * not queues of the engine (retry holding areas) stay in the journal.
 * When this node comes to own a queue, it empties its copy and loads the
 * queue's live entries from PostgreSQL before serving it.
 */
import { readBasicProperties } from '../amqp/codec/generated/spec';
import { Reader } from '../amqp/codec/reader';
import type { Broker } from '../broker/broker';
import type { Message } from '../broker/message';
import type { PolicyDefinition } from '../broker/policy/policy-definition';
import type { BindingDefinition, ExchangeDefinition, QueueDefinition, Store } from '../broker/store';
import type { DurableStore } from '../store/durable-store';
import type { ControlConnection } from './control-connection';
import type { MessageBatchWriter } from './message-batch-writer';
import type { OwnedQueue, QueueLeases } from './queue-leases';

interface EntryRow {
  seq: number;
  expires_at: number;
  exchange: string;
  routing_key: string;
  properties: Buffer;
  body: Buffer;
}

export class ClusterStore implements Store {
  readonly persistsMessages = true;
  /** Why the publish being handled cannot be stored here (a queue owned elsewhere); its flush answers with it. */
  private refused: string | null = null;
  private broker: Broker | null = null;

  constructor(
    private readonly inner: DurableStore,
    private readonly leases: QueueLeases,
    private readonly writer: MessageBatchWriter,
    /** The writer's connection, which also reads queues in at a take-over. */
    private readonly connection: ControlConnection,
  ) {}

  /** The engine this store serves (it exists only once the store does). */
  attach(broker: Broker): void {
    this.broker = broker;
  }

  get recorded(): number {
    return (this.inner.recorded ?? 0) + this.writer.appended;
  }

  mayDeliver(vhost: string, queue: string): boolean {
    return this.leases.mayDeliver(vhost, queue);
  }

  messageEnqueued(vhost: string, queue: string, seq: number, message: Message, expiresAt: number): void {
    const lease = this.leases.lease(vhost, queue);
    if (lease) this.writer.enqueue(lease, seq, message, expiresAt);
    else if (this.isQueue(vhost, queue))
      this.refused = `queue '${queue}' in vhost '${vhost}' is not served by this node of the cluster; publish to the node that owns it`;
    else this.inner.messageEnqueued(vhost, queue, seq, message, expiresAt);
  }

  messageRemoved(vhost: string, queue: string, seq: number): void {
    const lease = this.leases.lease(vhost, queue);
    if (lease) this.writer.remove(lease, seq);
    else if (!this.isQueue(vhost, queue)) this.inner.messageRemoved(vhost, queue, seq);
  }

  messageDelivered(vhost: string, queue: string, seq: number): void {
    const lease = this.leases.lease(vhost, queue);
    if (lease) this.writer.deliver(lease, seq);
    else if (!this.isQueue(vhost, queue)) this.inner.messageDelivered(vhost, queue, seq);
  }

  /** A queue of the engine (whose messages are PostgreSQL's), not a retry holding area (the journal's). */
  private isQueue(vhost: string, queue: string): boolean {
    return this.broker?.has(vhost, 'queue', queue) === true;
  }

  flush(done: (error?: Error) => void): void {
    if (this.refused !== null) {
      const refused = new Error(this.refused);
      this.refused = null;
      done(refused);
      return;
    }
    let pending = 2;
    let failure: Error | undefined;
    const one = (error?: Error) => {
      failure ??= error;
      if (--pending === 0) done(failure);
    };
    this.inner.flush(one);
    this.writer.flush(one);
  }

  /** Resolves once the batches holding everything recorded so far have committed (or failed: their publishes were nacked). */
  committed(): Promise<void> {
    return new Promise((resolve) => this.writer.flush(() => resolve()));
  }

  /** This node handed the queue to another: its copy is emptied (no longer this node's for the store, so nothing is recorded). */
  release(vhost: string, queue: string): void {
    if (this.broker?.has(vhost, 'queue', queue)) this.broker.purgeQueue(vhost, queue);
  }

  /** Empties this node's copy of the queue and puts back its live entries from PostgreSQL, numbering new ones above every seq stored. */
  async load(vhost: string, queue: string, lease: OwnedQueue): Promise<void> {
    const entries = await this.connection.query<EntryRow>(
      `SELECT e.seq::float8 AS seq, e.expires_at::float8 AS expires_at, e.exchange, e.routing_key, e.properties, e.body
         FROM warren_cluster.entry e
        WHERE e.queue_id = $1
          -- Removal ranges never overlap (a seq leaves once): only the one starting last at or below the seq may hold it.
          -- (A range condition alone probes every earlier range: quadratic, seconds for a queue with 100,000 entries.)
          AND NOT EXISTS (SELECT 1
                            FROM (SELECT r.seq_hi FROM warren_cluster.removal r
                                   WHERE r.queue_id = e.queue_id AND r.seq_lo <= e.seq
                                   ORDER BY r.seq_lo DESC LIMIT 1) last
                           WHERE last.seq_hi >= e.seq)
        ORDER BY e.seq`,
      [lease.queueId],
    );
    const [top] = await this.connection.query<{ top: number | null; delivered_hi: number }>(
      `SELECT greatest((SELECT max(seq) FROM warren_cluster.entry WHERE queue_id = $1),
                       (SELECT max(seq_hi) FROM warren_cluster.removal WHERE queue_id = $1))::float8 AS top,
              (SELECT delivered_hi FROM warren_cluster.queue_lease WHERE queue_id = $1)::float8 AS delivered_hi`,
      [lease.queueId],
    );
    // Entries up to the queue's delivered mark may have gone to a consumer of the node that served it before.
    const deliveredHi = top?.delivered_hi ?? 0;
    const broker = this.broker;
    if (broker === null || !broker.has(vhost, 'queue', queue)) return;
    // Not this node's for the store until the load ends, so the purge records nothing.
    broker.purgeQueue(vhost, queue);
    for (const e of entries) {
      const properties = readBasicProperties(new Reader(e.properties));
      const message = { exchange: e.exchange, routingKey: e.routing_key, properties, body: e.body };
      broker.restoreMessage(vhost, queue, e.seq, message, e.seq <= deliveredHi ? 1 : 0, e.expires_at);
    }
    if (top?.top != null) broker.restoreNextSeq(vhost, queue, top.top + 1);
  }

  // ---- topology and the rest: the node's own store, as on one node ----------

  get muted(): boolean {
    return this.inner.muted;
  }

  set muted(muted: boolean) {
    this.inner.muted = muted;
  }

  vhostCreated(name: string): void {
    this.inner.vhostCreated(name);
  }

  vhostDeleted(name: string): void {
    this.inner.vhostDeleted(name);
  }

  exchangeDeclared(def: ExchangeDefinition): void {
    this.inner.exchangeDeclared(def);
  }

  exchangeDeleted(vhost: string, name: string): void {
    this.inner.exchangeDeleted(vhost, name);
  }

  queueDeclared(def: QueueDefinition): void {
    this.inner.queueDeclared(def);
  }

  queueDeleted(vhost: string, name: string): void {
    this.inner.queueDeleted(vhost, name);
  }

  bindingAdded(def: BindingDefinition): void {
    this.inner.bindingAdded(def);
  }

  bindingRemoved(def: BindingDefinition): void {
    this.inner.bindingRemoved(def);
  }

  policySet(vhost: string, policy: PolicyDefinition): void {
    this.inner.policySet(vhost, policy);
  }

  policyDeleted(vhost: string, name: string): void {
    this.inner.policyDeleted(vhost, name);
  }

  queuePaused(vhost: string, name: string, paused: boolean): void {
    this.inner.queuePaused(vhost, name, paused);
  }

  tracingSet(vhost: string, queue: string | null, on: boolean): void {
    this.inner.tracingSet(vhost, queue, on);
  }

  moveStarted(vhost: string, from: string, message: Message): void {
    this.inner.moveStarted(vhost, from, message);
  }

  moveFinished(): void {
    this.inner.moveFinished();
  }
}
