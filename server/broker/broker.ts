// The Broker facade: the only way into the engine. AMQP, tRPC and HTTP call
// these same methods, so a purge from the console and a queue.purge from a
// client are one code path. Pure TypeScript: no network, no files; durable
// changes are reported to the Store, time comes from `now`, and the one
// Scheduler timer drives expiry (close() stops it).

import type { AccessControl } from './access/access-control';
import type { Channel } from './channel';
import { Connection } from './connection';
import type { Actor, JourneyRecorder } from './journey/journey-event';
import { JourneyTracing, publisherOf } from './journey/journey-tracing';
import { BrokerError, notFound, resourceName } from './errors';
import { Message } from './message';
import type { PolicyDefinition } from './policy/policy-definition';
import { ENQUEUED_STORED, ENQUEUED_SYNCING, messageOperations, REFUSED, type MessageOperations, type Queue } from './queue/queue';
import { RemoteQueue } from './queue/remote-queue';
import { FORWARDED_HEADER, type QueueLink, type RemoteOwners } from './remote-owners';
import { DeadLetterConsole } from './retry/dead-letters';
import { RetryConsole } from './retry/retry-console';
import { routeSenderSelected } from './routing/router';
import { traceRoute } from './routing/trace';
import { Scheduler } from './scheduler';
import type { Store } from './store';
import { NullStore } from './store';
import { MemoryStreamStorage } from './stream/memory-stream-store';
import { StreamConsole } from './stream/stream-console';
import type { StreamStorage } from './stream/stream-store';
import type { EngineContext } from './engine-context';
import type { Exchange } from './exchange/exchange';
import { LongOperations } from './operations/long-operations';
import { MessageSearch } from './search/message-search';
import { QueueTools } from './operations/queue-tools';
import { MessageTransfer } from './operations/message-transfer';
import { ScheduleConsole } from './schedule/schedule-console';
import { argumentProblem } from './queue/queue-arguments';
import { workQueueOfHoldingArea } from './retry/holding-area';
import { checkShortString, shownName } from './short-string';
import { computeTotals } from './totals';
import { GlobalCounters } from './global-counters';
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
  QueueFigures,
  QueueStats,
  QueueSummary,
  RestoredMessages,
  TraceResult,
} from './types';
import { serverNamedQueue, Vhost } from './vhost';

export type { SearchHit, SearchProgress, SearchQuery, SearchTarget } from './search/search-types';
export type { MessageEdit, MessageSelection } from './operations/queue-tools';
export type { ExportSink, ImportResult, ImportSource, ImportTarget, TransferMessage } from './operations/message-transfer';
export type { ScheduledAreaInfo, ScheduledListOptions, ScheduledMessageInfo } from './schedule/schedule-console';
export type { JourneyDetail, JourneyEvent, JourneyEventKind, JourneyMessageKeys, JourneyRecorder } from './journey/journey-event';
export type { TracingState } from './journey/journey-tracing';
export type { QueueCounts, QueueLink, RemoteConsumerHandlers, RemoteConsumerSpec, RemoteDelivery, RemoteGet, RemoteOwners, Settlement } from './remote-owners';
export { FORWARDED_HEADER } from './remote-owners';

export interface BrokerOptions {
  /** Durability hooks; default keeps nothing. */
  store?: Store;
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
  /** Reported to clients and the console. */
  nodeName?: string;
  /** Where streams keep their records; default in memory (lost with the process). */
  streams?: StreamStorage;
  /**
   * Told of a fault the engine contained (a wake-up or a dead-lettering that
   * threw): the work was left as it was and the broker carries on. Default: stderr.
   */
  onFault?: (what: string, error: unknown) => void;
  /** Users' permissions, checked on AMQP operations; without it every user may do everything (engine tests). */
  access?: AccessControl;
  /** Where the steps of traced messages go (the trace log); without it tracing records nothing. */
  journeys?: JourneyRecorder;
}

/** A message published from the console rather than a channel: who did it, and the message it was edited from. */
export interface ConsoleOrigin {
  by?: Actor;
  from?: number;
}

/** Who asks: exclusive queues may only be used by the connection that owns them. */
export interface Requester {
  connection?: Connection;
}

const NO_OPTIONS: PublishOptions = {};
const UNROUTABLE: PublishResult = Object.freeze({ routed: 0, unroutable: true, confirm: 'ack' });
/** Shared results for the common outcomes, so a transient publish allocates only its Message. */
const ACKED: PublishResult[] = Array.from({ length: 64 }, (_, routed) => Object.freeze({ routed, unroutable: false, confirm: 'ack' as const }));

export class Broker {
  readonly store: Store;
  readonly now: () => number;
  readonly nodeName: string;
  readonly scheduler: Scheduler;
  readonly streamStorage: StreamStorage;
  /** Permissions checked by the AMQP layer, when the broker has users (access/access-control.ts). */
  readonly access: AccessControl | undefined;
  /** Streams as the console reads them (stream/stream-console.ts). */
  readonly streams: StreamConsole;
  /** Retry tiers as the console reads them (retry/retry-console.ts). */
  readonly retries: RetryConsole;
  /** Dead-letter queue operations: list, requeue, delete, export (retry/dead-letters.ts). */
  readonly deadLetters: DeadLetterConsole;
  /** The console's long operations in progress and recently ended (operations/long-operations.ts). */
  readonly operations: LongOperations;
  /** Engine-wide counters that only grow (global-counters.ts); the transport adds what only it knows. */
  readonly counters = new GlobalCounters();
  /** Searching queues, dead letters, retry tiers and streams without consuming (search/message-search.ts). */
  readonly search: MessageSearch;
  /** Precise operations on a queue's messages, and pause/resume (operations/queue-tools.ts). */
  readonly queueTools: QueueTools;
  /** Export and import of messages, read without consuming and written in slices (operations/message-transfer.ts). */
  readonly transfer: MessageTransfer;
  /** Messages published with a delay (x-delay, x-deliver-at), held until due (schedule/schedule-console.ts). */
  readonly scheduled: ScheduleConsole;
  /** Which vhosts and queues are traced, and the steps of traced messages (journey/journey-tracing.ts). */
  readonly journeys: JourneyTracing;
  private readonly vhosts = new Map<string, Vhost>();
  /** How the engine's own parts reach the vhosts (engine-context.ts). */
  private readonly engine: EngineContext;
  private readonly connections = new Map<string, Connection>();
  private connectionCounter = 0;
  private messageCounter = 0;
  /** Engine-wide counters not kept per queue. */
  private published = 0;
  private unroutable = 0;
  private returned = 0;
  /** Faults contained since start (see BrokerOptions.onFault). */
  private faults = 0;
  /** Messages past their delivery limit, dead-lettered (counted here so that deleting a queue does not lower it). */
  private overDeliveryLimit = 0;
  private readonly onFault: (what: string, error: unknown) => void;
  /** Cluster mode: the queues other nodes serve (remote-owners.ts); null on one node. */
  private remote: RemoteOwners | null = null;

  constructor(options: BrokerOptions = {}) {
    this.store = options.store ?? new NullStore();
    this.now = options.now ?? Date.now;
    this.nodeName = options.nodeName ?? 'warren@localhost';
    this.operations = new LongOperations(this.now);
    this.journeys = new JourneyTracing((name) => this.vhosts.get(name), this.store, this.now);
    this.journeys.setRecorder(options.journeys);
    this.engine = {
      journeys: this.journeys,
      store: this.store,
      operations: this.operations,
      counters: this.counters,
      now: this.now,
      vhost: (name) => this.vhost(name),
      findVhost: (name) => this.vhosts.get(name),
      vhostsOf: (name) => this.vhostsOf(name),
      stored: () => this.stored(),
      forgetConnection: (connection) => this.forgetConnection(connection),
    };
    this.streams = new StreamConsole(this.engine);
    this.retries = new RetryConsole(this.engine);
    this.deadLetters = new DeadLetterConsole(this.engine);
    this.search = new MessageSearch(this.engine);
    this.queueTools = new QueueTools(this.engine, this.search, (vhost, exchange, routingKey, properties, body, origin) =>
      this.publish(vhost, exchange, routingKey, properties, body, NO_OPTIONS, origin),
    );
    this.transfer = new MessageTransfer(this.engine, this.search, (vhost, exchange, routingKey, properties, body, publishOptions) =>
      this.publish(vhost, exchange, routingKey, properties, body, publishOptions),
    );
    this.onFault = options.onFault ?? ((what, error) => console.error(`broker: ${what}`, error));
    this.scheduler = new Scheduler(this.now, (error) => this.fault('a timer (message expiry, retry or idle queue) failed', error));
    this.scheduled = new ScheduleConsole(this.engine, this.scheduler);
    this.streamStorage = options.streams ?? new MemoryStreamStorage();
    this.access = options.access;
    this.createVhost('/');
  }

  // ---- virtual hosts -------------------------------------------------------

  /** Creates a vhost with the default and amq.* exchanges. Idempotent. */
  createVhost(name: string): void {
    if (this.vhosts.has(name)) return;
    checkShortString(`vhost name '${shownName(name)}'`, name);
    const engine = {
      store: this.store,
      scheduler: this.scheduler,
      now: this.now,
      nextMessageId: () => ++this.messageCounter,
      streams: this.streamStorage,
      fault: (what: string, error: unknown) => this.fault(what, error),
      countOverDeliveryLimit: () => {
        this.overDeliveryLimit++;
      },
      servedQueue: (queue: Queue) => (this.remote === null ? queue : this.servedQueue(queue, undefined)),
      counters: this.counters,
      journeys: this.journeys,
    };
    this.vhosts.set(name, new Vhost(name, engine));
    this.store.vhostCreated(name);
  }

  /** Deletes a vhost and everything in it; its connections are asked to close. 404 when missing. */
  deleteVhost(name: string): void {
    const vhost = this.vhost(name);
    this.access?.forgetVhost(name);
    for (const connection of [...this.connections.values()]) {
      if (connection.vhost === name) this.closeConnection(connection.id, `vhost '${name}' is deleted`);
    }
    vhost.destroy();
    this.vhosts.delete(name);
    this.scheduled.forgetDeleted();
    this.store.vhostDeleted(name);
  }

  listVhosts(): string[] {
    return [...this.vhosts.keys()];
  }

  hasVhost(name: string): boolean {
    return this.vhosts.has(name);
  }

  /** Whether the vhost has a queue (or an exchange) of that name, e.g. to check a permission on it. */
  has(vhost: string, kind: 'queue' | 'exchange', name: string): boolean {
    const v = this.vhosts.get(vhost);
    return v !== undefined && (kind === 'queue' ? v.queues.has(name) : v.exchanges.has(name));
  }

  /** The type of an exchange, or undefined when the vhost has none of that name. */
  exchangeType(vhost: string, name: string): string | undefined {
    return this.vhosts.get(vhost)?.exchanges.get(name)?.type;
  }

  // ---- connections ---------------------------------------------------------

  /** Registers a client connection (after authentication). 530 NOT_ALLOWED when the vhost is missing. */
  openConnection(info: ConnectionInfo): Connection {
    if (!this.vhosts.has(info.vhost)) {
      throw new BrokerError('NOT_ALLOWED', `vhost ${info.vhost} not found`, 'connection');
    }
    const connection = new Connection(this, this.engine, `conn-${++this.connectionCounter}`, info);
    this.connections.set(connection.id, connection);
    this.counters.connectionsOpened++;
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

  /** Asks every client connection of `user` to close (320), e.g. "user 'u' is deleted"; returns how many. */
  closeUserConnections(user: string, reason: string): number {
    let closed = 0;
    for (const connection of [...this.connections.values()]) {
      if (connection.info.user === user && connection.info.protocol !== 'console' && this.closeConnection(connection.id, reason)) closed++;
    }
    return closed;
  }

  /** Called by Connection.close. */
  private forgetConnection(connection: Connection): void {
    if (!this.connections.delete(connection.id)) return;
    this.counters.connectionsClosed++;
    const traffic = connection.info.traffic?.();
    if (traffic) {
      this.counters.closedConnectionBytesReceived += traffic.received;
      this.counters.closedConnectionBytesSent += traffic.sent;
    }
  }

  // ---- exchanges and bindings ---------------------------------------------

  /** exchange.declare. 406 on different properties or unknown type, 404 passive miss, 403 reserved `amq.` names. */
  declareExchange(vhost: string, name: string, type: ExchangeType | string, options: ExchangeDeclareOptions = {}): void {
    this.vhost(vhost).declareExchange(name, type, options);
  }

  /** exchange.delete. Missing is fine; 406 ifUnused with bindings, 403 default/amq.* exchanges. */
  deleteExchange(vhost: string, name: string, options: { ifUnused?: boolean } = {}): void {
    this.vhost(vhost).deleteExchange(name, options.ifUnused ?? false);
    this.scheduled.forgetDeleted();
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

  /** A fresh `amq.gen-…` name, for a queue.declare that leaves the name to the server (named first, to check permissions on it). */
  serverQueueName(): string {
    return serverNamedQueue();
  }

  /** queue.delete → number of messages deleted (0 when missing). Consumers get a server cancel. 406 for ifUnused/ifEmpty. */
  deleteQueue(vhost: string, name: string, options: QueueDeleteOptions = {}, requester: Requester = {}): number {
    return this.vhost(vhost).deleteQueue(name, options, requester.connection);
  }

  /** queue.purge → number of ready messages removed (unacked ones stay). */
  purgeQueue(vhost: string, name: string, requester: Requester = {}): number {
    return messageOperations(this.vhost(vhost).queue(name, requester.connection), 'be purged').purge();
  }

  /**
   * Cluster mode: queue.purge of a queue another node serves, done by that
   * node; resolves with its count. Null when this node serves the queue
   * (purgeQueue, purgeInSlices) or the queue is not there (404 from those).
   */
  purgeOnOwner(vhost: string, name: string, requester: Requester = {}): Promise<number> | null {
    const link = this.ownerLink(vhost, name, requester);
    if (link === null) return null;
    return new Promise((resolve, reject) => link.purge(name, (count, error) => (error ? reject(error) : resolve(count))));
  }

  /**
   * Cluster mode: queue.delete of a queue another node serves, done by that
   * node (it checks ifUnused and ifEmpty on its own counts); resolves with its
   * count once this node's copy is gone too (the feed removes the others').
   * Null when this node serves the queue (deleteQueue) or it is not there.
   */
  deleteOnOwner(vhost: string, name: string, options: QueueDeleteOptions = {}, requester: Requester = {}): Promise<number> | null {
    const link = this.ownerLink(vhost, name, requester);
    if (link === null) return null;
    return new Promise((resolve, reject) =>
      link.delete(name, options, (count, error) => {
        if (error) return reject(error);
        this.vhost(vhost).deleteQueue(name, {}, requester.connection);
        resolve(count);
      }),
    );
  }

  /** The link to the node serving a queue of this vhost, for a requester that is not itself a link; null when this node serves it. */
  private ownerLink(vhost: string, name: string, requester: Requester): QueueLink | null {
    if (this.remote === null) return null;
    const connection = requester.connection;
    if (connection !== undefined && this.remote.isLink(connection.info.user)) return null;
    const v = this.vhost(vhost);
    if (!v.queues.has(name)) return null;
    const queue = v.queue(name, connection); // 405 for another connection's exclusive queue
    return this.remote.linkFor(vhost, name, queue.settings.durable, undefined);
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
   * Hot path: no Promise is created for transient messages. `origin`: the
   * channel it came from, or who published it from the console, for its
   * journey when tracing is on (otherwise not looked at).
   */
  publish(
    vhost: string,
    exchange: string,
    routingKey: string,
    properties: MessageProperties,
    body: Buffer,
    options: PublishOptions = NO_OPTIONS,
    origin?: Channel | ConsoleOrigin,
  ): PublishResult {
    const v = this.vhost(vhost);
    const source = v.exchanges.get(exchange);
    if (source === undefined) throw notFound('exchange', exchange, vhost);
    if (source.settings.internal) {
      throw new BrokerError('ACCESS_REFUSED', `cannot publish to internal ${resourceName('exchange', exchange, vhost)}`);
    }
    this.published++;
    this.counters.messageSizes.observe(body.length);
    source.counters.publishedIn++;
    const headers = properties.headers;
    if (headers !== undefined) {
      const dueAt = this.scheduled.dueTime(source, headers);
      if (dueAt !== null) return this.holdScheduled(source, routingKey, properties, body, dueAt, options.onConfirm);
    }
    const queues = routeSenderSelected(v.lookupExchange, source, routingKey, headers);
    if (headers?.BCC !== undefined) {
      // BCC keys route the message but are never shown to consumers.
      const { BCC: _hidden, ...visible } = headers;
      properties = { ...properties, headers: visible };
    }
    const routed = queues.length;
    if (routed === 0) {
      if (v.journeysOn && v.traced) this.journeys.unroutable(v, source, routingKey, properties, ++this.messageCounter, publisherFrom(origin));
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
    if (v.journeysOn) this.journeys.published(v, source, message, queues, publisherFrom(origin), consoleOrigin(origin));
    return this.enqueueRouted(message, queues, options, origin !== undefined && 'connection' in origin ? origin : undefined, this.remote !== null);
  }

  /** Puts a routed message into its queues (with `forward`, those another node serves get it over the link); the confirm as publish() says. */
  private enqueueRouted(message: Message, queues: readonly Queue[], options: PublishOptions, channel: Channel | undefined, forward: boolean): PublishResult {
    const routed = queues.length;
    let refused = false;
    let stored = false;
    let syncing: Queue[] | undefined;
    for (const local of queues) {
      const queue = forward ? this.servedQueue(local, channel) : local;
      const outcome = queue.enqueue(message);
      if (outcome === REFUSED) refused = true;
      else if (outcome === ENQUEUED_STORED) stored = true;
      else if (outcome === ENQUEUED_SYNCING) (syncing ??= []).push(queue);
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
    return ACKED[routed] ?? { routed, unroutable: false, confirm: 'ack' };
  }

  /** Cluster mode: how this node reaches the queues other nodes serve. */
  setRemoteOwners(remote: RemoteOwners): void {
    this.remote = remote;
  }

  /** Whether a connection of this user is another node's link (cluster mode). */
  isLinkUser(user: string): boolean {
    return this.remote?.isLink(user) === true;
  }

  /**
   * The queue a publish or a consumer of `channel` uses: the local one, or a
   * RemoteQueue when another node of the cluster serves it. Engine-internal.
   */
  servedQueue(queue: Queue, channel: Channel | undefined): Queue {
    const link = this.remote?.linkFor(queue.vhost, queue.name, queue.settings.durable, channel) ?? null;
    return link === null ? queue : new RemoteQueue(queue, link, channel, () => ++this.messageCounter);
  }

  /**
   * Cluster mode: a message the cluster held for a queue while it had no live
   * owner, put into the queue now that this node serves it; `done` once it
   * is confirmed (an error when the queue refused it or is gone).
   */
  enqueueHeld(vhost: string, queue: string, message: Message, done: (error?: Error) => void): void {
    const target = this.vhosts.get(vhost)?.queues.get(queue);
    if (target === undefined) return done(new Error(`queue '${queue}' in vhost '${vhost}' was deleted while its publishes waited for an owner`));
    const refused = () => done(new Error(`queue '${queue}' in vhost '${vhost}' refused the message`));
    const result = this.enqueueRouted(message, [target], { onConfirm: (ok) => (ok ? done() : refused()) }, undefined, false);
    if (result.confirm === 'ack') done();
    else if (result.confirm === 'nack') refused();
  }

  /** Cluster mode: the node serving this queue changed; every consumer of it on this node follows (Channel.reattach). */
  reattachConsumers(vhost: string, queue: string): void {
    for (const connection of this.connections.values()) {
      if (connection.vhost !== vhost) continue;
      for (const channel of connection.channels.values()) {
        for (const consumer of [...channel.consumers.values()]) if (consumer.queue.name === queue) channel.reattach(consumer);
      }
    }
  }

  /**
   * A publish another node forwarded over its link (cluster mode): the routing
   * key names the one queue it goes into, the FORWARDED_HEADER the exchange and
   * routing key it was published with there (put back, the header removed).
   * No routing and no second forward; confirmed as publish() is.
   */
  publishForwarded(vhost: string, queue: string, properties: MessageProperties, body: Buffer, options: PublishOptions, origin: Channel): PublishResult {
    // Deleted since the other node routed to it: a nack, not a channel error that would end the link channel.
    if (!this.has(vhost, 'queue', queue)) return { routed: 0, unroutable: false, confirm: 'nack' };
    // Through servedQueue: a node still loading the queue holds the forward until it serves it.
    const target = this.servedQueue(this.vhost(vhost).queue(queue, origin.connection), origin);
    const { [FORWARDED_HEADER]: route, ...headers } = properties.headers ?? {};
    const [exchange, routingKey] = Array.isArray(route) ? route.map(String) : ['', queue];
    this.published++;
    const message = new Message(++this.messageCounter, exchange ?? '', routingKey ?? queue, { ...properties, headers }, body);
    return this.enqueueRouted(message, [target], options, origin, false);
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

  /** Recovery from a store that numbers on its own: the queue's new messages get seqs from `next` on at least. 404 when missing. */
  restoreNextSeq(vhost: string, queue: string, next: number): void {
    this.vhost(vhost).queue(queue).restoreNextSeq?.(next);
  }

  /** The store's mayDeliver turned true for the queue (cluster mode: this node took its lease): delivers what waits. */
  deliverAgain(vhost: string, queue: string): void {
    this.vhosts.get(vhost)?.queues.get(queue)?.dispatch();
  }

  /**
   * Recovery: declares a durable queue read back from the store. One whose
   * arguments the engine now refuses (a rule added since it was declared)
   * comes back without the refused ones rather than not at all, so that its
   * messages are kept: `dropped` names them and `refusal` says why. Throws
   * only when it cannot be declared even so.
   */
  restoreQueueDeclaration(
    vhost: string,
    name: string,
    definition: { autoDelete: boolean; arguments: FieldTable },
  ): { dropped: string[]; refusal: string | null } {
    const declare = (args: FieldTable) =>
      this.declareQueue(vhost, name, { durable: true, autoDelete: definition.autoDelete, arguments: args, fromStore: true });
    try {
      declare(definition.arguments);
      return { dropped: [], refusal: null };
    } catch (error) {
      const kept = { ...definition.arguments };
      const dropped: string[] = [];
      for (const key of Object.keys(kept)) {
        if (argumentProblem(key, kept[key], kept) === null) continue;
        delete kept[key];
        dropped.push(key);
      }
      if (dropped.length === 0) throw error;
      declare(kept);
      return { dropped, refusal: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Recovery: puts back what the store kept for one queue (or retry holding
   * area), each message at its seq, redelivered when it had gone to a
   * consumer. The messages of a retry tier that no longer exists (a policy
   * changed while the broker was down) are due now: they go to the tail of
   * their work queue, and `leftTier` is told each seq so the store forgets
   * them there. 'missing': neither exists any more, nothing was restored.
   */
  restoreQueueMessages(
    vhost: string,
    queue: string,
    messages: RestoredMessages,
    leftTier: (seq: number) => void,
  ): 'restored' | 'returned-to-work-queue' | 'missing' {
    const v = this.vhosts.get(vhost);
    if (v === undefined) return 'missing';
    const scheduled = this.scheduled.restore(vhost, queue, messages);
    if (scheduled !== false) return scheduled;
    const workQueue = v.holdingAreas.has(queue) ? undefined : v.queues.get(workQueueOfHoldingArea(queue) ?? '');
    if (workQueue !== undefined) {
      messages.forEach(({ seq, message }) => {
        workQueue.enqueue(message);
        leftTier(seq);
      });
      return 'returned-to-work-queue';
    }
    if (!v.queues.has(queue) && !v.holdingAreas.has(queue)) return 'missing';
    messages.forEach(({ seq, message, redelivered, expiresAt }) => {
      this.restoreMessage(vhost, queue, seq, message, redelivered ? 1 : 0, expiresAt);
    });
    return 'restored';
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
    return this.queuesOf(vhost).map(queueSummary);
  }

  /** Every queue's summary and live counters, without copying the counters: what a scrape of thousands of queues needs. */
  queueFigures(): QueueFigures[] {
    return this.queuesOf(undefined).map((q) => ({ ...queueSummary(q), counters: q.counters }));
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
    return this.vhost(vhost)
      .queue(name)
      .browse(options.offset ?? 0, options.limit);
  }

  /**
   * The console's move: up to `count` ready messages from the head of `from`
   * to the tail of `to`, as a long operation (operations/long-operations.ts:
   * sliced, cancellable, with progress), each message one store move. Stops
   * early when `to` refuses a message. Resolves with how many moved.
   */
  async moveMessages(vhost: string, from: string, to: string, count: number | 'all', by?: Actor): Promise<number> {
    const v = this.vhost(vhost);
    const source = v.queue(from);
    const target = v.queue(to);
    if (source === target) return 0;
    const taken = messageOperations(source, 'give up messages to a move');
    const limit = count === 'all' ? source.messageCount : count;
    let refused = false;
    let moved = 0;
    await this.operations.run({ kind: 'move', vhost, queue: from, total: limit }, (max) => {
      if (refused || moved >= limit || source.deleted || target.deleted) return 'finished';
      const slice = this.moveSome(vhost, source, taken, target, Math.min(max, limit - moved), by);
      refused = slice.refused;
      moved += slice.moved;
      return slice.moved === 0 ? 'finished' : slice.moved;
    });
    return moved;
  }

  /** Moves up to `max` messages from the head of `source`; says how many, and whether `target` refused one. */
  private moveSome(vhost: string, from: Queue, source: MessageOperations, target: Queue, max: number, by: Actor): { moved: number; refused: boolean } {
    const store = this.store;
    let moved = 0;
    while (moved < max) {
      const message = source.head();
      if (message === undefined) break;
      // Bracketed so that the store can record the enqueue and the removal as one move.
      store.moveStarted?.(vhost, from.name, message);
      if (message.traced) this.journeys.step('moved', from, message, { to: target.name, by: by ?? null });
      const refused = target.enqueue(message) === REFUSED;
      if (!refused && source.head() === message) source.take(1);
      store.moveFinished?.();
      if (refused) return { moved, refused: true };
      moved++;
    }
    return { moved, refused: false };
  }

  /**
   * The console's purge: the ready messages there are now, removed a slice at
   * a time as a long operation (AMQP's queue.purge stays one step, as in
   * RabbitMQ). Resolves with how many were removed.
   */
  async purgeInSlices(vhost: string, name: string, by?: Actor): Promise<number> {
    const queue = this.vhost(vhost).queue(name);
    const messages = messageOperations(queue, 'be purged');
    const total = queue.messageCount;
    let purged = 0;
    await this.operations.run({ kind: 'purge', vhost, queue: name, total }, (max) => {
      if (purged >= total || queue.deleted) return 'finished';
      const taken = messages.take(Math.min(max, total - purged));
      for (const message of taken) if (message.traced) this.journeys.step('purged', queue, message, { by: by ?? null });
      purged += taken.length;
      return taken.length === 0 ? 'finished' : taken.length;
    });
    return purged;
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

  /** Body bytes of the messages queues hold in memory (streams keep theirs in their own storage): what the memory alarm counts. */
  queuedBytesInMemory(): number {
    let bytes = 0;
    for (const vhost of this.vhosts.values()) {
      for (const queue of vhost.queues.values()) if (queue.config.type !== 'stream') bytes += queue.readyBytes;
    }
    return bytes;
  }

  /**
   * Overview numbers: cheap enough to sample every second. Without
   * `visible`, the message counters are the process's and only grow. With
   * `visible`, only those vhosts count, the publish counters are summed from
   * their exchanges (the engine-wide ones would tell about the others) and
   * the counters of their live queues only.
   */
  totals(visible?: (vhost: string) => boolean): BrokerTotals {
    if (visible === undefined) {
      // Deleted queues' counters stay in: these totals only grow.
      return computeTotals(
        this.vhosts.values(),
        this.connections.values(),
        { published: this.published, unroutable: this.unroutable, returned: this.returned, overDeliveryLimit: this.overDeliveryLimit, faults: this.faults },
        this.counters.retiredQueues,
      );
    }
    const vhosts = [...this.vhosts.values()].filter((v) => visible(v.name));
    // Delivery-limit and fault counts are broker-wide: not shown to someone who sees only some vhosts.
    const engine = { published: 0, unroutable: 0, returned: 0, overDeliveryLimit: 0, faults: 0 };
    for (const v of vhosts) {
      for (const e of v.exchanges.values()) {
        engine.published += e.counters.publishedIn;
        engine.unroutable += e.counters.unroutable;
        engine.returned += e.counters.returned;
      }
    }
    return computeTotals(
      vhosts,
      [...this.connections.values()].filter((c) => visible(c.vhost)),
      engine,
    );
  }

  /** A fault the engine contained: counted and reported, never thrown at the caller. */
  private fault(what: string, error: unknown): void {
    this.faults++;
    try {
      this.onFault(what, error);
    } catch {
      // a failing reporter must not turn a contained fault into an uncontained one
    }
  }

  // ---- lifecycle -------------------------------------------------------------

  /** Stops the expiry scheduler, closes every connection and syncs and closes the streams; the process can exit. */
  close(): void {
    this.scheduler.close();
    for (const connection of [...this.connections.values()]) connection.close();
    this.streamStorage.close();
  }

  // ---- internals -------------------------------------------------------------

  /** A message published with a delay: held by its exchange until due; confirmed once the store has it, when it does. */
  private holdScheduled(
    source: Exchange,
    routingKey: string,
    properties: MessageProperties,
    body: Buffer,
    dueAt: number,
    onConfirm: ((ack: boolean) => void) | undefined,
  ): PublishResult {
    const message = new Message(++this.messageCounter, source.name, routingKey, properties, body);
    if (!this.scheduled.hold(source, message, dueAt)) return ACKED[0]!;
    this.store.flush((error) => onConfirm?.(error === undefined));
    return { routed: 0, unroutable: false, confirm: 'deferred' };
  }

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

function publisherFrom(origin: Channel | ConsoleOrigin | undefined) {
  return origin !== undefined && 'connection' in origin ? publisherOf(origin.connection, origin.number) : undefined;
}

function consoleOrigin(origin: Channel | ConsoleOrigin | undefined): ConsoleOrigin | undefined {
  return origin !== undefined && !('connection' in origin) ? origin : undefined;
}

function queueSummary(q: Queue): QueueSummary {
  return {
    vhost: q.vhost,
    name: q.name,
    type: q.config.type,
    ready: q.messageCount,
    unacked: q.unackedCount,
    readyBytes: q.readyBytes,
    consumers: q.consumerCount,
  };
}
