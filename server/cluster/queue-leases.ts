/**
 * Queue ownership (docs/cluster.md, Queue ownership: leases and epochs): the
 * durable queues this node owns, by their `queue_lease` rows, and whether it
 * may deliver from them now.
 *
 * A queue's lease lives as long as its owner's node lease (the node's row,
 * renewed by every heartbeat); after each heartbeat the node takes its share
 * of the leases whose owner is gone, bumping their epochs, and reads back the
 * queues it owns. Self-fencing: a renewal read on the monotonic clock before
 * it was sent lets this node deliver until that reading + 4 s, while
 * PostgreSQL keeps the lease until its own now() + 5 s, so the node stops at
 * least a second before any other node may take its queues over.
 */
import type { ControlConnection } from './control-connection';
import { LEASE_SECONDS } from './membership';

/** How long after a heartbeat was sent this node still delivers: a second short of its lease. */
export const SELF_FENCE_MS = (LEASE_SECONDS - 1) * 1_000;

export interface OwnedQueue {
  queueId: number;
  /** The fencing token every write of the queue's data carries (check_fence). */
  epoch: string;
}

const key = (vhost: string, queue: string) => `${vhost}\u0000${queue}`;

/** What the node does with a queue it comes to own. */
export interface AcquiredQueue {
  /** Loads the queue's messages from PostgreSQL (taken over or read back): it serves the queue once this resolves. */
  load(vhost: string, queue: string, lease: OwnedQueue): Promise<void>;
  /** The node may deliver from the queue (again). */
  deliverable(vhost: string, queue: string): void;
  /** Resolves once everything the node recorded so far is committed (or failed, its publishes nacked). */
  committed(): Promise<void>;
  /** The node handed the queue to another: its copy here is emptied (the new owner loads the messages). */
  released(vhost: string, queue: string): void;
}

export class QueueLeases {
  private owned = new Map<string, OwnedQueue>();
  /** Claims made while a renewal reads the leases back (it may not see them). */
  private claimedMeanwhile = new Map<string, OwnedQueue>();
  /** Queues this node holds the lease of but still loads. */
  private readonly loading = new Set<string>();
  /** Queues this node is handing to another node: it neither delivers nor writes them. */
  private readonly handingOver = new Set<string>();
  /** Counts lapses, so a load that outlived one does not make the queue this node's. */
  private lapses = 0;
  /** performance.now() until which the node's own lease holds, for this node. */
  private deliverUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly connection: ControlConnection,
    private readonly nodeName: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Set once the engine is up (ClusterNode.run); leases are taken from then on. */
  acquired: AcquiredQueue | null = null;

  /** Whether this node may deliver from the durable queue: it owns it and its own lease still holds. */
  mayDeliver(vhost: string, queue: string): boolean {
    return performance.now() < this.deliverUntil && this.owned.has(key(vhost, queue));
  }

  /** The queue's lease, when this node owns it (and has loaded it). */
  lease(vhost: string, queue: string): OwnedQueue | undefined {
    return this.owned.get(key(vhost, queue));
  }

  /** The node's lease ran out: it owns nothing any more (others may have taken its queues) and delivers nothing. */
  lapsed(): void {
    this.lapses++;
    this.owned.clear();
    this.claimedMeanwhile.clear();
    this.deliverUntil = Number.NEGATIVE_INFINITY;
  }

  /** This node's claim of a new durable queue wrote its lease (epoch 1); nothing to load. */
  claimed(vhost: string, queue: string, queueId: number): void {
    const lease = { queueId, epoch: '1' };
    this.owned.set(key(vhost, queue), lease);
    this.claimedMeanwhile.set(key(vhost, queue), lease);
  }

  /**
   * The heartbeat sent at `sentAt` (performance.now(), read before sending)
   * renewed the node's lease: takes this node's share of the free leases, then
   * reads back the leases it holds. A queue new to this node (or at a new epoch) is
   * loaded before it is served; every owned queue delivers again when the
   * node had stopped for want of a renewal.
   */
  async renewed(incarnation: string, sentAt: number): Promise<void> {
    if (this.acquired === null) return;
    const wasFenced = performance.now() >= this.deliverUntil;
    this.claimedMeanwhile.clear();
    this.deliverUntil = Math.max(this.deliverUntil, sentAt + SELF_FENCE_MS);
    const taken = await this.connection.query<{ queue_id: number; epoch: string }>(
      'SELECT queue_id, epoch::text AS epoch FROM warren_cluster.take_free_leases($1, $2)',
      [this.nodeName, incarnation],
    );
    const rows = await this.connection.query<{ queue_id: number; epoch: string; vhost: string; queue: string; move_to: string | null }>(
      `SELECT l.queue_id, l.epoch::text AS epoch, v.name AS vhost, q.name AS queue, l.move_to
         FROM warren_cluster.queue_lease l
         JOIN public."Queue" q ON q.id = l.queue_id
         JOIN public."Vhost" v ON v.id = q."vhostId"
        WHERE l.node = $1 AND l.incarnation = $2`,
      [this.nodeName, incarnation],
    );
    const before = this.owned;
    this.owned = new Map(this.claimedMeanwhile);
    for (const r of rows) {
      const k = key(r.vhost, r.queue);
      if (this.handingOver.has(k)) continue;
      const lease = { queueId: r.queue_id, epoch: r.epoch };
      const held = before.get(k);
      if (held?.queueId === lease.queueId && held.epoch === lease.epoch) {
        if (r.move_to !== null && r.move_to !== this.nodeName) {
          void this.handOver(r.vhost, r.queue, held, r.move_to);
          continue;
        }
        // Asked to move here after this node took the queue over: nothing to do.
        if (r.move_to === this.nodeName) await this.connection.query('UPDATE warren_cluster.queue_lease SET move_to = NULL WHERE queue_id = $1', [r.queue_id]);
        this.owned.set(k, held);
        if (wasFenced) this.acquired.deliverable(r.vhost, r.queue);
        continue;
      }
      if (taken.some((t) => t.queue_id === r.queue_id && t.epoch !== '1'))
        this.log(`took over queue '${r.queue}' in vhost '${r.vhost}' (epoch ${r.epoch}): its owner is gone`);
      void this.load(r.vhost, r.queue, lease);
    }
  }

  /**
   * Asks the owner of a durable queue to hand it to the live node `target`
   * (the console's move); the owner does it at its next heartbeat. Returns why
   * not when it cannot be asked: no such queue or node, or nothing to move.
   */
  async requestMove(vhost: string, queue: string, target: string): Promise<string | null> {
    const [node] = await this.connection.query<{ live: boolean }>(
      `SELECT state = 'running' AND lease_expires_at > now() AS live FROM warren_cluster.cluster_node WHERE name = $1`,
      [target],
    );
    if (node === undefined) return `there is no node '${target}' in this cluster`;
    if (!node.live) return `node '${target}' is not running; move the queue to a live node`;
    const [lease] = await this.connection.query<{ durable: boolean; owner: string | null; queue_id: number | null }>(
      `SELECT q.durable, l.node AS owner, l.queue_id
         FROM public."Queue" q
         JOIN public."Vhost" v ON v.id = q."vhostId"
         LEFT JOIN warren_cluster.queue_lease l ON l.queue_id = q.id
        WHERE v.name = $1 AND q.name = $2`,
      [vhost, queue],
    );
    if (lease === undefined) return `there is no queue '${queue}' in vhost '${vhost}'`;
    if (!lease.durable) return `queue '${queue}' is not durable: it lives on the node that declared it and cannot move`;
    if (lease.owner === null) return `queue '${queue}' has no owner right now (a take-over is under way); try again in a few seconds`;
    if (lease.owner === target) return `queue '${queue}' is served by node '${target}' already`;
    await this.connection.query('UPDATE warren_cluster.queue_lease SET move_to = $2 WHERE queue_id = $1', [lease.queue_id, target]);
    return null;
  }

  /**
   * Hands an owned queue to `target` (docs/cluster.md, Moving a queue): stops
   * delivering and writing it here, waits for what was recorded to commit,
   * then gives the lease to the target's live incarnation at the next epoch
   * (fencing anything of this node still in flight). The target loads the
   * queue at its next heartbeat; deliveries unacked here come again from it.
   * When the target is gone meanwhile, the request is dropped and this node
   * serves the queue again.
   */
  private async handOver(vhost: string, queue: string, lease: OwnedQueue, target: string): Promise<void> {
    const k = key(vhost, queue);
    if (this.acquired === null) return;
    this.handingOver.add(k);
    this.owned.delete(k);
    const lapses = this.lapses;
    try {
      await this.acquired.committed();
      const moved = await this.connection.query<{ epoch: string }>(
        `UPDATE warren_cluster.queue_lease l
            SET node = n.name, incarnation = n.incarnation, epoch = l.epoch + 1, acquired_at = now(), move_to = NULL
           FROM warren_cluster.cluster_node n
          WHERE l.queue_id = $1 AND l.epoch = $2 AND n.name = $3 AND n.state = 'running' AND n.lease_expires_at > now()
          RETURNING l.epoch::text AS epoch`,
        [lease.queueId, lease.epoch, target],
      );
      if (moved.length > 0) {
        this.acquired.released(vhost, queue);
        this.log(`handed queue '${queue}' in vhost '${vhost}' to node '${target}' (epoch ${moved[0]!.epoch})`);
        return;
      }
      await this.connection.query('UPDATE warren_cluster.queue_lease SET move_to = NULL WHERE queue_id = $1 AND epoch = $2', [lease.queueId, lease.epoch]);
      this.log(`did not move queue '${queue}' in vhost '${vhost}': node '${target}' is not running any more`);
      if (this.lapses === lapses) {
        this.owned.set(k, lease);
        this.acquired.deliverable(vhost, queue);
      }
    } catch (error) {
      this.log(`moving queue '${queue}' in vhost '${vhost}' to node '${target}' failed (tried again at the next heartbeat): ${String(error)}`);
    } finally {
      this.handingOver.delete(k);
    }
  }

  private async load(vhost: string, queue: string, lease: OwnedQueue): Promise<void> {
    const k = key(vhost, queue);
    if (this.loading.has(k) || this.acquired === null) return;
    this.loading.add(k);
    const lapses = this.lapses;
    try {
      await this.acquired.load(vhost, queue, lease);
      if (this.lapses !== lapses) return;
      this.owned.set(k, lease);
      this.acquired.deliverable(vhost, queue);
    } catch (error) {
      this.log(`could not load queue '${queue}' in vhost '${vhost}' from PostgreSQL (tried again at the next heartbeat): ${String(error)}`);
    } finally {
      this.loading.delete(k);
    }
  }
}
