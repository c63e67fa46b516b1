// The Broker facade: the only way into the engine. AMQP, tRPC and HTTP call
// these same methods, so a purge from the console and a queue.purge from a
// client are one code path. Pure TypeScript: no network, no files; durable
// changes are reported to the Store, time comes from `now`.

import { Connection } from './connection';
import type { Store } from './store';
import { NullStore } from './store';
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
  PublishOptions,
  PublishResult,
  QueueDeclareOptions,
  QueueDeclareResult,
  QueueDeleteOptions,
  QueueStats,
  TraceResult,
} from './types';

export interface BrokerOptions {
  /** Durability hooks; default keeps nothing. */
  store?: Store;
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
  /** Reported to clients and the console. */
  nodeName?: string;
}

/** Who asks: exclusive queues may only be used by the connection that owns them. */
export interface Requester {
  connection?: Connection;
}

export class Broker {
  readonly store: Store;
  readonly now: () => number;
  readonly nodeName: string;

  constructor(options: BrokerOptions = {}) {
    this.store = options.store ?? new NullStore();
    this.now = options.now ?? Date.now;
    this.nodeName = options.nodeName ?? 'warren@localhost';
  }

  // ---- virtual hosts -------------------------------------------------------

  /** Creates a vhost with the default and amq.* exchanges. Idempotent. */
  createVhost(name: string): void {
    void name;
    throw new Error('not implemented');
  }

  /** Deletes a vhost and everything in it; its connections are asked to close. 404 when missing. */
  deleteVhost(name: string): void {
    void name;
    throw new Error('not implemented');
  }

  listVhosts(): string[] {
    throw new Error('not implemented');
  }

  hasVhost(name: string): boolean {
    void name;
    throw new Error('not implemented');
  }

  // ---- connections ---------------------------------------------------------

  /** Registers a client connection (after authentication). 530 NOT_ALLOWED when the vhost is missing. */
  openConnection(info: ConnectionInfo): Connection {
    void info;
    throw new Error('not implemented');
  }

  listConnections(): ConnectionSummary[] {
    throw new Error('not implemented');
  }

  getConnection(id: string): Connection | undefined {
    void id;
    throw new Error('not implemented');
  }

  /**
   * Asks a connection to close (console "close connection", shutdown): calls
   * its onCloseRequested so the transport sends connection.close 320; without
   * that callback the connection is closed at once. Returns false when unknown.
   */
  closeConnection(id: string, reason: string): boolean {
    void id;
    void reason;
    throw new Error('not implemented');
  }

  // ---- exchanges and bindings ---------------------------------------------

  /** exchange.declare. 406 on different properties, 404 passive miss, 403 reserved `amq.` names, 503 unknown type. */
  declareExchange(vhost: string, name: string, type: ExchangeType | string, options?: ExchangeDeclareOptions): void {
    void vhost;
    void name;
    void type;
    void options;
    throw new Error('not implemented');
  }

  /** exchange.delete. 404 when missing, 406 ifUnused with bindings, 403 default/amq.* exchanges. */
  deleteExchange(vhost: string, name: string, options?: { ifUnused?: boolean }): void {
    void vhost;
    void name;
    void options;
    throw new Error('not implemented');
  }

  /** exchange.bind: messages reaching `source` that match go on to `destination`. */
  bindExchange(vhost: string, destination: string, source: string, routingKey: string, args?: FieldTable): void {
    void vhost;
    void destination;
    void source;
    void routingKey;
    void args;
    throw new Error('not implemented');
  }

  /** exchange.unbind. Unbinding something not bound is a no-op (404 only for missing exchanges). */
  unbindExchange(vhost: string, destination: string, source: string, routingKey: string, args?: FieldTable): void {
    void vhost;
    void destination;
    void source;
    void routingKey;
    void args;
    throw new Error('not implemented');
  }

  // ---- queues --------------------------------------------------------------

  /**
   * queue.declare. Empty name: server-named `amq.gen-...`. Exclusive queues
   * need `requester.connection`. Errors: 406 inequivalent/invalid args,
   * 405 exclusive queue of another connection, 404 passive miss, 403 `amq.` names.
   */
  declareQueue(vhost: string, name: string, options?: QueueDeclareOptions, requester?: Requester): QueueDeclareResult {
    void vhost;
    void name;
    void options;
    void requester;
    throw new Error('not implemented');
  }

  /** queue.delete → number of messages deleted. Consumers get a server cancel. 406 for ifUnused/ifEmpty. */
  deleteQueue(vhost: string, name: string, options?: QueueDeleteOptions, requester?: Requester): number {
    void vhost;
    void name;
    void options;
    void requester;
    throw new Error('not implemented');
  }

  /** queue.purge → number of ready messages removed (unacked ones stay). */
  purgeQueue(vhost: string, name: string, requester?: Requester): number {
    void vhost;
    void name;
    void requester;
    throw new Error('not implemented');
  }

  /** queue.bind. 403 on the default exchange. */
  bindQueue(vhost: string, queue: string, exchange: string, routingKey: string, args?: FieldTable, requester?: Requester): void {
    void vhost;
    void queue;
    void exchange;
    void routingKey;
    void args;
    void requester;
    throw new Error('not implemented');
  }

  /** queue.unbind. */
  unbindQueue(vhost: string, queue: string, exchange: string, routingKey: string, args?: FieldTable, requester?: Requester): void {
    void vhost;
    void queue;
    void exchange;
    void routingKey;
    void args;
    void requester;
    throw new Error('not implemented');
  }

  // ---- publishing ----------------------------------------------------------

  /**
   * basic.publish. Routes through the exchange (and its exchange bindings and
   * alternate exchange) into every matching queue, sharing one Message.
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
    options?: PublishOptions,
  ): PublishResult {
    void vhost;
    void exchange;
    void routingKey;
    void properties;
    void body;
    void options;
    throw new Error('not implemented');
  }

  /** Where a message would go, binding by binding, without publishing. */
  trace(vhost: string, exchange: string, routingKey: string, headers?: FieldTable): TraceResult {
    void vhost;
    void exchange;
    void routingKey;
    void headers;
    throw new Error('not implemented');
  }

  // ---- console -------------------------------------------------------------

  listQueues(vhost?: string): QueueStats[] {
    void vhost;
    throw new Error('not implemented');
  }

  /** 404 when missing. */
  getQueue(vhost: string, name: string): QueueStats {
    void vhost;
    void name;
    throw new Error('not implemented');
  }

  listExchanges(vhost?: string): ExchangeStats[] {
    void vhost;
    throw new Error('not implemented');
  }

  /** 404 when missing. */
  getExchange(vhost: string, name: string): ExchangeStats {
    void vhost;
    void name;
    throw new Error('not implemented');
  }

  listBindings(vhost?: string): BindingInfo[] {
    void vhost;
    throw new Error('not implemented');
  }

  listConsumers(vhost?: string): ConsumerInfo[] {
    void vhost;
    throw new Error('not implemented');
  }

  /** Ready messages from `offset` (default 0), at most `limit`, without consuming or reordering. */
  browseQueue(vhost: string, name: string, options: { offset?: number; limit: number }): BrowsedMessage[] {
    void vhost;
    void name;
    void options;
    throw new Error('not implemented');
  }

  /**
   * Moves ready messages from the head of `from` to the tail of `to` (same
   * vhost), keeping their order, properties and headers. Returns how many moved.
   */
  moveMessages(vhost: string, from: string, to: string, count: number | 'all'): number {
    void vhost;
    void from;
    void to;
    void count;
    throw new Error('not implemented');
  }

  /** Overview numbers: cheap enough to sample every second. */
  totals(): BrokerTotals {
    throw new Error('not implemented');
  }

  // ---- lifecycle -------------------------------------------------------------

  /** Stops the expiry scheduler and closes every connection; the process can exit. */
  close(): void {
    throw new Error('not implemented');
  }
}
