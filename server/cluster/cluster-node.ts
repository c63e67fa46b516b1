/**
 * One Warren process in cluster mode (docs/cluster.md, step 1: membership and
 * topology). In the order main.ts calls it:
 *
 * 1. `connect`: the control connection (PostgreSQL unreachable is one line),
 *    then the start lock, so that nodes starting together migrate, create the
 *    default user and join one after the other;
 * 2. `join` (after the metadata database is open and migrated): the
 *    `warren_cluster` schema, the node's row (a used name is one line), the
 *    change feed's starting point, taken before the topology is loaded;
 * 3. `run` (once the engine is up): heartbeats every second, the feed read
 *    and applied, the start lock released; then `claims` for the AMQP
 *    server (new durable queues and exchanges are decided by PostgreSQL);
 * 4. `attachClients` once the AMQP server listens: a node that loses its
 *    database blocks its publishers and, past its self-fence deadline,
 *    closes and refuses its clients (database-watch.ts); `connections` takes
 *    the rows of its client connections for the other nodes' consoles;
 * 5. `leave` at a clean stop.
 */
import { randomBytes } from 'node:crypto';
import type { Broker } from '../broker/broker';
import {
  type ClusterNodeInfo,
  HEARTBEAT_MS,
  heartbeat,
  join,
  leave,
  listNodes,
  type NodeAddresses,
  type NodeSummary,
  type OwnedQueueCounts,
  type OwnerCounts,
  ownerCounts,
} from './membership';
import { ControlConnection } from './control-connection';
import { type DatabaseLoss, DatabaseWatch, type NodeClients } from './database-watch';
import type { DeclareClaims } from '../amqp/declare-claims';
import { ClusterDeclareClaims } from './declare-claims';
import { ClusterError } from './errors';
import { nodeId } from './node-id';
import { ClusterStore } from './cluster-store';
import { MessageBatchWriter } from './message-batch-writer';
import { PeerLinks } from './peer-links';
import { SharedConnections } from './shared-connections';
import { QueueLeases, SELF_FENCE_MS } from './queue-leases';
import type { DurableStore } from '../store/durable-store';
import { ensureClusterSchema } from './schema';
import { type ClusterEngine, TopologyApplier } from './topology-apply';
import { FEED_CHANNEL, TopologyFeed, trimFeed } from './topology-feed';

export interface ClusterNodeOptions {
  /** DATABASE_URL: the PostgreSQL database the nodes share. */
  databaseUrl: string;
  nodeName: string;
  dataDir: string;
  version: string;
  /** Where clients reach this node; updated with `setAddresses` once the listeners are open. */
  addresses: NodeAddresses;
  log: (line: string) => void;
  /** The node lost its name to another process while it could not renew its lease: it must stop. */
  onNameLost: (message: string) => void;
}

const START_LOCK = `hashtext('warren_cluster.start')`;
const TRIM_FEED_MS = 10 * 60_000;
/** How often a node tries the messages' housekeeping (one node at a time does it), and how old a generation gets. */
const ROTATE_MS = 60_000;
const GENERATION_AGE = '10 minutes';
/** A heartbeat unanswered for this long counts as a lost database (a connection that hangs rather than breaks). */
const UNANSWERED_MS = 2 * HEARTBEAT_MS;

export class ClusterNode {
  private incarnation: string | null = null;
  private addresses: NodeAddresses;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private trimTimer: NodeJS.Timeout | null = null;
  private rotateTimer: NodeJS.Timeout | null = null;
  private beating = false;
  /** performance.now() when the heartbeat under way was sent. */
  private beatSentAt = 0;
  /** The writer's connection is being asked whether it answers again. */
  private probing = false;
  private summary: () => NodeSummary = () => ({ connections: 0, memoryBytes: 0 });
  private lastBeatFailed = false;
  private readonly feed: TopologyFeed;
  private applier: TopologyApplier | null = null;
  private declareClaims: DeclareClaims | null = null;
  private readonly leases: QueueLeases;
  private writerConnection: ControlConnection | null = null;
  private store: ClusterStore | null = null;
  private links: PeerLinks | null = null;
  private broker: Broker | null = null;
  /** The queue counts the last heartbeat wrote (JSON): unchanged ones are not written again. */
  private countsWritten = '';
  /** The other nodes' queue counts, read at most once a second. */
  private peerCounts: { at: number; counts: Promise<Map<string, OwnerCounts>> } | null = null;
  private readonly database: DatabaseWatch;
  /** The client connections of every node, for the consoles. */
  readonly connections: SharedConnections;

  private constructor(
    private readonly options: ClusterNodeOptions,
    private readonly connection: ControlConnection,
  ) {
    this.addresses = options.addresses;
    this.feed = new TopologyFeed(connection, options.nodeName, (change) => this.applier?.apply(change) ?? Promise.resolve(), options.log);
    this.leases = new QueueLeases(connection, options.nodeName, options.log);
    this.database = new DatabaseWatch(options.log);
    this.connections = new SharedConnections(connection, options.nodeName, options.log);
  }

  get name(): string {
    return this.options.nodeName;
  }

  static async connect(options: ClusterNodeOptions): Promise<ClusterNode> {
    let node: ClusterNode | null = null;
    const connection = await ControlConnection.open({
      url: options.databaseUrl,
      applicationName: options.nodeName,
      channel: FEED_CHANNEL,
      onNotify: () => node?.feed.wake(),
      onLost: (cause) => node?.database.failed(cause),
      onReconnected: () => void node?.beat(), // renewed as soon as it can be, before the self-fence deadline if the break was short
      log: options.log,
    });
    node = new ClusterNode(options, connection);
    await connection.query(`SELECT pg_advisory_lock(${START_LOCK})`);
    return node;
  }

  /** Creates or updates the cluster's tables and takes the node's name; ClusterError when a running node has it. */
  async join(): Promise<void> {
    await this.connection.withClient(ensureClusterSchema);
    const me = { name: this.options.nodeName, nodeId: nodeId(this.options.dataDir), version: this.options.version };
    this.incarnation = await join(this.connection, me, this.addresses);
    this.links = new PeerLinks(me.name, await clusterSecret(this.connection), this.leases, this.options.log);
    await trimFeed(this.connection);
    await this.feed.skipToEnd();
    // The writer: messages only, so that a heartbeat never waits behind a large batch.
    this.writerConnection = await ControlConnection.open({
      url: this.options.databaseUrl,
      applicationName: this.options.nodeName,
      onLost: (cause) => this.database.failed(cause),
      onReconnected: () => void this.beat(), // unblocks publishers if the heartbeats pass
      log: this.options.log,
    });
    this.options.log(`joined the cluster as node '${me.name}' (incarnation ${this.incarnation})`);
  }

  /** The engine's store (after `join`): messages of the durable queues this node owns go to PostgreSQL, the rest to `own`. */
  messageStore(own: DurableStore): ClusterStore {
    if (this.writerConnection === null) throw new Error('ClusterNode.messageStore before join');
    const writer = new MessageBatchWriter(this.writerConnection, this.options.nodeName, {
      fenced: () => void this.beat(),
      failed: (cause) => this.database.failed(`a commit to PostgreSQL failed: ${cause}`),
    });
    this.store = new ClusterStore(own, this.leases, writer, this.writerConnection);
    return this.store;
  }

  /** Starts heartbeats and the change feed over the node's engine, and lets the next node start. */
  async run(engine: ClusterEngine, summary: () => NodeSummary): Promise<void> {
    if (this.incarnation === null) throw new Error('ClusterNode.run before join');
    this.summary = summary;
    this.applier = new TopologyApplier(engine, this.options.log);
    await this.applier.loadNames(this.connection);
    const store = this.store;
    if (store === null) throw new Error('ClusterNode.run without messageStore: the engine must use the cluster store');
    store.attach(engine.broker);
    const links = this.links;
    if (links === null) throw new Error('ClusterNode.run before join');
    links.attach(engine.broker);
    engine.broker.setRemoteOwners(links);
    this.broker = engine.broker;
    this.leases.acquired = {
      load: (vhost, queue, lease) => store.load(vhost, queue, lease),
      deliverable: (vhost, queue) => {
        engine.broker.deliverAgain(vhost, queue);
        links.release(); // publishes held while the queue loaded go in now, not at the next heartbeat
      },
      committed: () => store.committed(),
      released: (vhost, queue) => store.release(vhost, queue),
    };
    this.declareClaims = new ClusterDeclareClaims(this.connection, this.applier, this.leases, () => ({
      node: this.options.nodeName,
      incarnation: this.incarnation as string,
    }));
    this.feed.start();
    await this.beat(); // the node's queues deliver from its first renewal on
    this.heartbeatTimer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.trimTimer = setInterval(
      () => void trimFeed(this.connection).catch((error: unknown) => this.options.log(`trimming the topology feed failed: ${String(error)}`)),
      TRIM_FEED_MS,
    );
    this.rotateTimer = setInterval(
      () =>
        void this.connection
          .query('SELECT warren_cluster.rotate_generations($1::interval)', [GENERATION_AGE])
          .catch((error: unknown) => this.options.log(`rotating the message generations failed: ${String(error)}`)),
      ROTATE_MS,
    );
    await this.connection.query(`SELECT pg_advisory_unlock(${START_LOCK})`);
  }

  /** The AMQP server, once it listens: blocked, closed and refused while this node is without its database. */
  attachClients(clients: NodeClients): void {
    this.database.attach(clients);
  }

  /** Why this node is without its database now; null while it answers. */
  get databaseLoss(): DatabaseLoss | null {
    return this.database.loss;
  }

  /** Where the AMQP server claims new durable queues and exchanges (after `run`). */
  get claims(): DeclareClaims {
    if (this.declareClaims === null) throw new Error('ClusterNode.claims before run');
    return this.declareClaims;
  }

  /**
   * The AMQP server's check of a login: another node's link (user
   * `cluster:<node>`, the cluster secret as password) or, else, `users`.
   */
  authenticate(user: string, password: string, users: () => Promise<boolean>): Promise<boolean> {
    if (this.links?.isLink(user)) return Promise.resolve(this.links.authenticate(user, password));
    return users();
  }

  /** The listeners' addresses, once they are open (with port 0, the ports picked): written at once. */
  setAddresses(addresses: NodeAddresses): void {
    this.addresses = addresses;
    void this.beat();
  }

  /**
   * The node that serves a queue: for a durable one, this node while it
   * holds the lease, else the live owner seen at the last heartbeat, null when
   * none holds it (a take-over under way); a non-durable queue lives only on
   * the node it was declared on, this one.
   */
  servingNode(vhost: string, queue: string, durable: boolean): string | null {
    if (!durable || this.leases.lease(vhost, queue) !== undefined) return this.name;
    return this.links?.ownerOf(vhost, queue) ?? null;
  }

  /** Asks the owner of a durable queue to hand it to node `target` (done at its next heartbeat); why not, when it cannot be asked. */
  moveQueue(vhost: string, queue: string, target: string): Promise<string | null> {
    return this.leases.requestMove(vhost, queue, target);
  }

  /**
   * The counts (ready, unacked, consumers, ready bytes) of the queues other
   * live nodes own, as of their last heartbeats, by `vhost\u0000queue`: this
   * node's copies of those queues hold nothing, so the console shows these.
   */
  queueCountsElsewhere(): Promise<Map<string, OwnerCounts>> {
    const now = performance.now();
    if (this.peerCounts === null || now - this.peerCounts.at > HEARTBEAT_MS) {
      this.peerCounts = { at: now, counts: ownerCounts(this.connection, this.options.nodeName).catch(() => new Map()) };
    }
    return this.peerCounts.counts;
  }

  /** Every node the cluster has seen, with its status now. */
  nodes(): Promise<ClusterNodeInfo[]> {
    return listNodes(this.connection, this.options.nodeName);
  }

  /** A clean stop: heartbeats and the feed end, the row says 'left' (its name is free at once). */
  async leave(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.trimTimer) clearInterval(this.trimTimer);
    if (this.rotateTimer) clearInterval(this.rotateTimer);
    this.heartbeatTimer = null;
    this.database.stop();
    await this.feed.stop();
    await this.links?.close();
    // What this node recorded (acks above all) commits before others take its queues, or they would deliver those messages again.
    await this.store?.committed();
    if (this.incarnation !== null) {
      await leave(this.connection, this.options.nodeName, this.incarnation).catch((error: unknown) =>
        this.options.log(`could not mark node '${this.options.nodeName}' as left: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    await this.connection.close();
    await this.writerConnection?.close();
  }

  private async beat(): Promise<void> {
    if (this.incarnation === null) return;
    if (this.beating) {
      const waited = performance.now() - this.beatSentAt;
      const unanswered = `PostgreSQL has not answered a heartbeat for ${(waited / 1000).toFixed(1)} s`;
      if (waited > UNANSWERED_MS) this.database.failed(unanswered);
      if (waited > SELF_FENCE_MS) {
        // Fenced by now: both connections are given up and opened again, so that neither waits for a lost answer.
        this.connection.reset(unanswered);
        this.writerConnection?.reset(unanswered);
      }
      return;
    }
    this.beating = true;
    try {
      const sentAt = performance.now();
      this.beatSentAt = sentAt;
      const counts = this.ownedQueueCounts();
      const connectionRows = this.connections.toWrite();
      const { renewed, feedTrimmedTo, closeRequests } = await heartbeat(
        this.connection,
        this.options.nodeName,
        this.incarnation,
        this.addresses,
        this.summary(),
        { queueCounts: counts === this.countsWritten ? null : counts, connectionRows },
      );
      this.countsWritten = counts;
      this.connections.beaten(connectionRows, closeRequests);
      if (this.lastBeatFailed) this.options.log('heartbeat renewed again');
      this.lastBeatFailed = false;
      this.feed.checkTrimmed(feedTrimmedTo);
      if (renewed) {
        await this.leases.renewed(this.incarnation, sentAt);
        await this.links?.refresh(this.connection);
        this.database.renewed(sentAt);
        if (this.database.lost) void this.writerAnswers();
      } else {
        this.leases.lapsed();
        await this.rejoin();
      }
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      if (!this.lastBeatFailed) this.options.log(`heartbeat failed: ${cause}`);
      this.lastBeatFailed = true;
      this.database.failed(`a heartbeat to PostgreSQL failed: ${cause}`);
    } finally {
      this.beating = false;
    }
  }

  /** The counts of the queues this node owns, as JSON (OwnedQueueCounts). */
  private ownedQueueCounts(): string {
    const counts: OwnedQueueCounts = {};
    for (const q of this.broker?.listQueueSummaries() ?? []) {
      if (this.leases.lease(q.vhost, q.name) === undefined) continue;
      (counts[q.vhost] ??= {})[q.name] = [q.ready, q.unacked, q.consumers, q.readyBytes];
    }
    return JSON.stringify(counts);
  }

  /** Publishers stay blocked until the writer's connection answers too (it reconnects on its own); not waited for by the heartbeat. */
  private async writerAnswers(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.writerConnection?.query('SELECT 1');
      this.database.answered();
    } catch (error) {
      this.database.failed(`PostgreSQL does not answer the message writer: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.probing = false;
    }
  }

  /** The lease ran out (the process was paused, or PostgreSQL out of reach for too long): never resumed, joined again. */
  private async rejoin(): Promise<void> {
    this.options.log(`the lease of node '${this.options.nodeName}' ran out before it was renewed; joining again as a new incarnation`);
    const me = { name: this.options.nodeName, nodeId: nodeId(this.options.dataDir), version: this.options.version };
    try {
      this.incarnation = await join(this.connection, me, this.addresses);
      this.countsWritten = ''; // the new incarnation's row starts without counts or connections
      this.connections.rejoined();
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      if (this.trimTimer) clearInterval(this.trimTimer);
      this.heartbeatTimer = null;
      this.options.onNameLost(error.message);
    }
  }
}

/** The secret of the node links, made by the first node that needs it. */
async function clusterSecret(connection: ControlConnection): Promise<string> {
  await connection.query(`INSERT INTO warren_cluster.setting (key, value) VALUES ('cluster_secret', $1) ON CONFLICT (key) DO NOTHING`, [
    randomBytes(24).toString('base64url'),
  ]);
  const [row] = await connection.query<{ value: string }>(`SELECT value FROM warren_cluster.setting WHERE key = 'cluster_secret'`);
  if (row === undefined) throw new Error('the cluster secret is missing from warren_cluster.setting');
  return row.value;
}
