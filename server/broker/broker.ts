// The Broker facade: the only way into the engine. AMQP, tRPC and HTTP call
// these same methods, so a purge from the console and a queue.purge from a
// client are one code path. Pure TypeScript: no network, no files; durable
// changes are reported to the Store, time comes from `now`, and the one
// Scheduler timer drives expiry (close() stops it).

import { Connection } from './connection';
import { BrokerError, notFound, resourceName } from './errors';
import { Message } from './message';
import type { PolicyDefinition } from './policy/policy-definition';
import { ENQUEUED_STORED, ENQUEUED_SYNCING, REFUSED, type Queue } from './queue/queue';
import { DeadLetterConsole } from './retry/dead-letters';
import { RetryConsole } from './retry/retry-console';
import { headerKeys, routeMessage, routeWithKeys } from './routing/router';
import { traceRoute } from './routing/trace';
import { Scheduler } from './scheduler';
import type { Store } from './store';
import { NullStore } from './store';
import { MemoryStreamStorage } from './stream/memory-stream-store';
import { StreamConsole } from './stream/stream-console';
import type { StreamStorage } from './stream/stream-store';
import { computeTotals } from './totals';
import type {
  BindingInfo,
  BrokerTotals,
  BrowsedMessage,
  ConnectionInfo,
  ConnectionSummary,
  ConsumerInfo,
  ExchangeDeclareOptions,
  ExchangeStats,
  ExchangeType,
  FieldTable,
  MessageProperties,
  PolicyInfo,
  PublishOptions,
  PublishResult,
  QueueDeclareOptions,
  QueueDeclareResult,
  QueueDeleteOptions,
  QueueStats,
  QueueSummary,
  TraceResult,
} from './types';
import { Vhost } from './vhost';

export interface BrokerOptions {
  /** Durability hooks; default keeps nothing. */
  store?: Store;
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
  /** Reported to clients and the console. */
  nodeName?: string;
  /** Where streams keep their records; default in memory (lost with the process). */
  streams?: StreamStorage;
}

/** Who asks: exclusive queues may only be used by the connection that owns them. */
export interface Requester {
  connection?: Connection;
}

const NO_OPTIONS: PublishOptions = {};
const UNROUTABLE: PublishResult = Object.freeze({ routed: 0, unroutable: true, confirm: 'ack' });
/** Shared results for the common outcomes, so a transient publish allocates only its Message. */
const ACKED: PublishResult[] = Array.from({ length: 64 }, (_, routed) =>
  Object.freeze({ routed, unroutable: false, confirm: 'ack' as const }),
);

export class Broker {
  readonly store: Store;
  readonly now: () => number;
  readonly nodeName: string;
  readonly scheduler: Scheduler;
  readonly streamStorage: StreamStorage;
  /** Streams as the console reads them (stream/stream-console.ts). */
  readonly streams = new StreamConsole(this);
  /** Retry tiers as the console reads them (retry/retry-console.ts). */
  readonly retries = new RetryConsole(this);
  /** Dead-letter queue operations: list, requeue, delete, export (retry/dead-letters.ts). */
  readonly deadLetters = new DeadLetterConsole(this);
  private readonly vhosts = new Map<string, Vhost>();
  private readonly connections = new Map<string, Connection>();
  private connectionCounter = 0;
  private messageCounter = 0;
  /** Engine-wide counters not kept per queue. */
  private published = 0;
  private unroutable = 0;
  private returned = 0;

  constructor(options: BrokerOptions = {}) {
    this.store = options.store ?? new NullStore();
    this.now = options.now ?? Date.now;
    this.nodeName = options.nodeName ?? 'warren@localhost';
    this.scheduler = new Scheduler(this.now);
    this.streamStorage = options.streams ?? new MemoryStreamStorage();
    this.createVhost('/');
  }

  // ---- virtual hosts -------------------------------------------------------

  /** Creates a vhost with the default and amq.* exchanges. Idempotent. */
  createVhost(name: string): void {
    if (this.vhosts.has(name)) return;
    const engine = { store: this.store, scheduler: this.scheduler, now: this.now, nextMessageId: () => ++this.messageCounter, streams: this.streamStorage };
    this.vhosts.set(name, new Vhost(name, engine));
    this.store.vhostCreated(name);
  }

  /** Deletes a vhost and everything in it; its connections are asked to close. 404 when missing. */
  deleteVhost(name: string): void {
    const vhost = this.vhost(name);
    for (const connection of [...this.connections.values()]) {
      if (connection.vhost === name) this.closeConnection(connection.id, `vhost '${name}' is deleted`);
    }
    vhost.destroy();
    this.vhosts.delete(name);
    this.store.vhostDeleted(name);
  }

  listVhosts(): string[] {
    return [...this.vhosts.keys()];
  }

  hasVhost(name: string): boolean {
    return this.vhosts.has(name);
  }

  /** The vhost's engine object, for the engine's own classes. */
  vhostObject(name: string): Vhost | undefined {
    return this.vhosts.get(name);
  }

  // ---- connections ---------------------------------------------------------

  /** Registers a client connection (after authentication). 530 NOT_ALLOWED when the vhost is missing. */
  openConnection(info: ConnectionInfo): Connection {
    if (!this.vhosts.has(info.vhost)) {
      throw new BrokerError('NOT_ALLOWED', `vhost ${info.vhost} not found`, 'connection');
    }
    const connection = new Connection(this, `conn-${++this.connectionCounter}`, info);
    this.connections.set(connection.id, connection);
    return connection;
  }

  listConnections(): ConnectionSummary[] {
    return [...this.connections.values()].map((c) => c.summary());
  }

  getConnection(id: string): Connection | undefined {
    return this.connections.get(id);
  }

  /**
   * Asks a connection to close (console "close connection", shutdown): calls
   * its onCloseRequested so the transport sends connection.close 320; without
   * that callback the connection is closed at once. Returns false when unknown.
   */
  closeConnection(id: string, reason: string): boolean {
    const connection = this.connections.get(id);
    if (!connection) return false;
    if (connection.info.onCloseRequested) connection.info.onCloseRequested(reason);
    else connection.close();
    return true;
  }

  /** Called by Connection.close. */
  forgetConnection(connection: Connection): void {
    this.connections.delete(connection.id);
  }

  // ---- exchanges and bindings ---------------------------------------------

  /** exchange.declare. 406 on different properties or unknown type, 404 passive miss, 403 reserved `amq.` names. */
  declareExchange(vhost: string, name: string, type: ExchangeType | string, options: ExchangeDeclareOptions = {}): void {
    this.vhost(vhost).declareExchange(name, type, options);
  }

  /** exchange.delete. Missing is fine; 406 ifUnused with bindings, 403 default/amq.* exchanges. */
  deleteExchange(vhost: string, name: string, options: { ifUnused?: boolean } = {}): void {
    this.vhost(vhost).deleteExchange(name, options.ifUnused ?? false);
  }

  /** exchange.bind: messages reaching `source` that match go on to `destination`. */
  bindExchange(vhost: string, destination: string, source: string, routingKey: string, args: FieldTable = {}): void {
    const v = this.vhost(vhost);
    v.bind(source, this.destinationExchange(v, destination), routingKey, args);
  }

  /** exchange.unbind. Unbinding something not bound is a no-op (404 only for missing exchanges). */
  unbindExchange(vhost: string, destination: string, source: string, routingKey: string, args: FieldTable = {}): void {
    const v = this.vhost(vhost);
    v.unbind(source, this.destinationExchange(v, destination), routingKey, args);
  }

  private destinationExchange(vhost: Vhost, name: string) {
    if (name === '') throw new BrokerError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    return vhost.exchange(name);
  }

  // ---- queues --------------------------------------------------------------

  /**
   * queue.declare. Empty name: server-named `amq.gen-...`. Exclusive queues
   * need `requester.connection`. Errors: 406 inequivalent/invalid args,
   * 405 exclusive queue of another connection, 404 passive miss, 403 `amq.` names.
   */
  declareQueue(vhost: string, name: string, options: QueueDeclareOptions = {}, requester: Requester = {}): QueueDeclareResult {
    const queue = this.vhost(vhost).declareQueue(name, options, requester.connection);
    return { name: queue.name, messageCount: queue.messageCount, consumerCount: queue.consumerCount };
  }

  /** queue.delete → number of messages deleted (0 when missing). Consumers get a server cancel. 406 for ifUnused/ifEmpty. */
  deleteQueue(vhost: string, name: string, options: QueueDeleteOptions = {}, requester: Requester = {}): number {
    return this.vhost(vhost).deleteQueue(name, options, requester.connection);
  }

  /** queue.purge → number of ready messages removed (unacked ones stay). */
  purgeQueue(vhost: string, name: string, requester: Requester = {}): number {
    return this.vhost(vhost).queue(name, requester.connection).purge();
  }

  /** queue.bind. 403 on the default exchange. */
  bindQueue(vhost: string, queue: string, exchange: string, routingKey: string, args: FieldTable = {}, requester: Requester = {}): void {
    const v = this.vhost(vhost);
    v.bind(exchange, v.queue(queue, requester.connection), routingKey, args);
  }

  /** queue.unbind. */
  unbindQueue(vhost: string, queue: string, exchange: string, routingKey: string, args: FieldTable = {}, requester: Requester = {}): void {
    const v = this.vhost(vhost);
    v.unbind(exchange, v.queue(queue, requester.connection), routingKey, args);
  }

  // ---- publishing ----------------------------------------------------------

  /**
   * basic.publish. Routes through the exchange (and its exchange bindings and
   * alternate exchange) into every matching queue, sharing one Message. CC and
   * BCC headers add routing keys (BCC is removed from the delivered message).
   * 404 missing exchange, 403 internal exchange. The result says how many
   * queues took it, whether it was unroutable, and the confirm outcome.
   * Hot path: no Promise is created for transient messages.
   */
  publish(
    vhost: string,
    exchange: string,
    routingKey: string,
    properties: MessageProperties,
    body: Buffer,
    options: PublishOptions = NO_OPTIONS,
  ): PublishResult {
    const v = this.vhost(vhost);
    const source = v.exchanges.get(exchange);
    if (source === undefined) throw notFound('exchange', exchange, vhost);
    if (source.settings.internal) {
      throw new BrokerError('ACCESS_REFUSED', `cannot publish to internal ${resourceName('exchange', exchange, vhost)}`);
    }
    this.published++;
    source.counters.publishedIn++;
    let queues: readonly Queue[];
    const headers = properties.headers;
    if (headers !== undefined && (headers.CC !== undefined || headers.BCC !== undefined)) {
      const keys = [routingKey, ...headerKeys(headers.CC), ...headerKeys(headers.BCC)];
      queues = routeWithKeys(v.lookupExchange, source, keys, headers);
      if (headers.BCC !== undefined) {
        // BCC keys route the message but are never shown to consumers.
        const { BCC: _hidden, ...visible } = headers;
        properties = { ...properties, headers: visible };
      }
    } else {
      queues = routeMessage(v.lookupExchange, source, routingKey, headers);
    }
    const routed = queues.length;
    if (routed === 0) {
      this.unroutable++;
      source.counters.unroutable++;
      if (options.mandatory) {
        this.returned++;
        source.counters.returned++;
      }
      return UNROUTABLE;
    }
    source.counters.publishedOut += routed;
    const message = new Message(++this.messageCounter, exchange, routingKey, properties, body);
    let refused = false;
    let stored = false;
    let syncing: Queue[] | undefined;
    for (let i = 0; i < routed; i++) {
      const outcome = queues[i].enqueue(message);
      if (outcome === REFUSED) refused = true;
      else if (outcome === ENQUEUED_STORED) stored = true;
      else if (outcome === ENQUEUED_SYNCING) (syncing ??= []).push(queues[i]);
    }
    if (refused) return { routed, unroutable: false, confirm: 'nack' };
    if (syncing !== undefined) {
      // A persisting store is waited for too: a stream's declaration must be stored before its messages are confirmed.
      this.confirmAfterFlushes(stored || this.store.persistsMessages, syncing, options.onConfirm);
      return { routed, unroutable: false, confirm: 'deferred' };
    }
    if (stored) {
      const onConfirm = options.onConfirm;
      this.store.flush((error) => onConfirm?.(error === undefined));
      return { routed, unroutable: false, confirm: 'deferred' };
    }
    return routed < ACKED.length ? ACKED[routed] : { routed, unroutable: false, confirm: 'ack' };
  }

  /**
   * Recovery: puts a message read back from the journal into its queue at its
   * original position `seq` (the store already has it, so it is not told
   * again). Call after re-declaring the topology, before clients connect.
   * `deliveryCount` > 0 marks it redelivered. `queue` may also name a retry
   * tier's holding area (`amq.retry.…`, see retry/holding-area.ts): the
   * message waits there again until its `x-retry-due-at`. 404 when missing.
   * A Message keeps its id (the journal knows it by that id) and new messages
   * are numbered above it; other objects get a new id. `expiresAt` is the
   * deadline stored with it (epoch ms, see Store.messageEnqueued); 0 when
   * none was stored, and the queue's TTL then counts from now.
   */
  restoreMessage(
    vhost: string,
    queue: string,
    seq: number,
    message: Message | { exchange: string; routingKey: string; properties: MessageProperties; body: Buffer },
    deliveryCount = 0,
    expiresAt = 0,
  ): void {
    const v = this.vhost(vhost);
    const restored =
      message instanceof Message ? message : new Message(++this.messageCounter, message.exchange, message.routingKey, message.properties, message.body);
    if (restored.id > this.messageCounter) this.messageCounter = restored.id;
    const holding = v.holdingAreas.get(queue);
    if (holding) holding.restore(restored, seq);
    else v.queue(queue).restore(restored, seq, deliveryCount, expiresAt);
  }

  /** Where a message would go, binding by binding, without publishing. */
  trace(vhost: string, exchange: string, routingKey: string, headers?: FieldTable): TraceResult {
    const v = this.vhost(vhost);
    return traceRoute(v.lookupExchange, v.exchange(exchange), routingKey, headers, (name) => v.queues.get(name));
  }

  // ---- console -------------------------------------------------------------

  listQueues(vhost?: string): QueueStats[] {
    return this.queuesOf(vhost).map((q) => q.stats());
  }

  /** Name, type, depth and consumers of every queue: cheaper than listQueues when only a page needs full stats. */
  listQueueSummaries(vhost?: string): QueueSummary[] {
    const out: QueueSummary[] = [];
    for (const q of this.queuesOf(vhost)) {
      out.push({ vhost: q.vhost, name: q.name, type: q.config.type, ready: q.messageCount, unacked: q.unackedCount, readyBytes: q.readyBytes, consumers: q.consumerCount });
    }
    return out;
  }

  /** 404 when missing. */
  getQueue(vhost: string, name: string): QueueStats {
    return this.vhost(vhost).queue(name).stats();
  }

  listExchanges(vhost?: string): ExchangeStats[] {
    return this.vhostsOf(vhost).flatMap((v) => [...v.exchanges.values()].map((e) => e.stats()));
  }

  /** 404 when missing. */
  getExchange(vhost: string, name: string): ExchangeStats {
    return this.vhost(vhost).exchange(name).stats();
  }

  /** Every binding, including the default exchange's implicit one per queue. */
  listBindings(vhost?: string): BindingInfo[] {
    const out: BindingInfo[] = [];
    for (const v of this.vhostsOf(vhost)) {
      for (const queue of v.queues.values()) {
        out.push({ vhost: v.name, source: '', destination: queue.name, destinationType: 'queue', routingKey: queue.name, arguments: {} });
      }
      for (const exchange of v.exchanges.values()) {
        for (const binding of exchange.bindings.values()) out.push(binding.info());
      }
    }
    return out;
  }

  listConsumers(vhost?: string): ConsumerInfo[] {
    return this.queuesOf(vhost).flatMap((q) => q.consumerList().map(({ consumer, active }) => consumer.info(active)));
  }

  /** Ready messages from `offset` (default 0), at most `limit`, without consuming or reordering. */
  browseQueue(vhost: string, name: string, options: { offset?: number; limit: number }): BrowsedMessage[] {
    return this.vhost(vhost).queue(name).browse(options.offset ?? 0, options.limit);
  }

  /**
   * Moves ready messages from the head of `from` to the tail of `to` (same
   * vhost), keeping their order, properties and headers. Stops early if `to`
   * refuses one (x-overflow reject-publish); nothing is lost. Returns how many
   * moved. Callers moving many messages should call it in slices.
   */
  moveMessages(vhost: string, from: string, to: string, count: number | 'all'): number {
    const v = this.vhost(vhost);
    const source = v.queue(from);
    const target = v.queue(to);
    if (source === target) return 0;
    const limit = count === 'all' ? source.messageCount : count;
    let moved = 0;
    const store = this.store;
    while (moved < limit) {
      const message = source.head();
      if (message === undefined) break;
      // Bracketed so that the store can record the enqueue and the removal as one move.
      store.moveStarted?.(vhost, from, message);
      const refused = target.enqueue(message) === REFUSED;
      if (!refused && source.head() === message) source.take(1);
      store.moveFinished?.();
      if (refused) break;
      moved++;
    }
    return moved;
  }

  // ---- policies --------------------------------------------------------------

  /** Adds or replaces a policy and applies it at once; 406 saying what is wrong when it is invalid. */
  setPolicy(vhost: string, policy: PolicyDefinition): void {
    this.vhost(vhost).setPolicy(policy);
    this.store.policySet?.(vhost, policy);
  }

  /** 404 when the vhost or the policy does not exist. */
  deletePolicy(vhost: string, name: string): void {
    if (!this.vhost(vhost).deletePolicy(name)) throw new BrokerError('NOT_FOUND', `no policy '${name}' in vhost '${vhost}'`);
    this.store.policyDeleted?.(vhost, name);
  }

  /** The policies of one vhost, or of all, highest priority first; with how many queues and exchanges each applies to. */
  listPolicies(vhost?: string): PolicyInfo[] {
    const vhosts = vhost === undefined ? [...this.vhosts.values()] : [this.vhost(vhost)];
    return vhosts.flatMap((v) => {
      const applied = new Map<string, { queues: number; exchanges: number }>();
      const count = (name: string | null | undefined, kind: 'queues' | 'exchanges') => {
        if (name == null) return;
        const entry = applied.get(name) ?? { queues: 0, exchanges: 0 };
        entry[kind]++;
        applied.set(name, entry);
      };
      for (const queue of v.queues.values()) count(queue.config.policy, 'queues');
      for (const exchange of v.exchanges.values()) count(exchange.policy?.name, 'exchanges');
      return v.policies.list().map((policy) => ({ vhost: v.name, ...policy, appliesTo: applied.get(policy.name) ?? { queues: 0, exchanges: 0 } }));
    });
  }

  /** 404 when missing. */
  policy(vhost: string, name: string): PolicyDefinition {
    const policy = this.vhost(vhost).policies.get(name);
    if (!policy) throw new BrokerError('NOT_FOUND', `no policy '${name}' in vhost '${vhost}'`);
    return policy;
  }

  /** Resolves once the store has on disk everything recorded so far; rejects when it cannot write. */
  stored(): Promise<void> {
    return new Promise((resolve, reject) => this.store.flush((error) => (error ? reject(error) : resolve())));
  }

  /** Overview numbers: cheap enough to sample every second. */
  totals(): BrokerTotals {
    return computeTotals(this.vhosts.values(), this.connections.values(), {
      published: this.published,
      unroutable: this.unroutable,
      returned: this.returned,
    });
  }

  // ---- lifecycle -------------------------------------------------------------

  /** Stops the expiry scheduler, closes every connection and syncs and closes the streams; the process can exit. */
  close(): void {
    this.scheduler.close();
    for (const connection of [...this.connections.values()]) connection.close();
    this.streamStorage.close();
  }

  // ---- internals -------------------------------------------------------------

  /** Confirms once the journal (when `stored`) and every stream that took the message have synced; ack only if all did. */
  private confirmAfterFlushes(stored: boolean, syncing: Queue[], onConfirm: ((ack: boolean) => void) | undefined): void {
    const only = syncing.length === 1 && !stored ? syncing[0] : undefined;
    if (only?.flush) {
      only.flush((error) => onConfirm?.(error === undefined)); // the common case: one stream
      return;
    }
    let pending = syncing.length + (stored ? 1 : 0);
    let ok = true;
    const done = (error?: Error) => {
      if (error) ok = false;
      if (--pending === 0) onConfirm?.(ok);
    };
    if (stored) this.store.flush(done);
    for (const queue of syncing) {
      if (queue.flush) queue.flush(done);
      else done();
    }
  }

  private vhost(name: string): Vhost {
    const vhost = this.vhosts.get(name);
    if (!vhost) throw new BrokerError('NOT_FOUND', `no vhost '${name}'`);
    return vhost;
  }

  private vhostsOf(name: string | undefined): Vhost[] {
    return name === undefined ? [...this.vhosts.values()] : [this.vhost(name)];
  }

  private queuesOf(vhost: string | undefined): Queue[] {
    const out: Queue[] = [];
    for (const v of this.vhostsOf(vhost)) for (const q of v.queues.values()) out.push(q);
    return out;
  }
}
