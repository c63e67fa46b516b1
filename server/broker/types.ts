// Public data shapes of the engine: what the AMQP layer passes in and what the
// console reads out. Behaviour lives in the classes; this file is only shapes.

import type { Message } from './message';
import type { PolicyDefinition } from './policy/policy-definition';

/**
 * A decoded AMQP field table. Values are what the codec produces: string,
 * number, bigint, boolean, Buffer, Date (AMQP timestamp), null, nested tables
 * and arrays. Headers the engine writes itself (x-death) use number for counts
 * and Date for times, so the codec must encode Date as a timestamp ('T').
 */
export type FieldTable = Record<string, unknown>;

/** AMQP basic properties (basic class content header). */
export interface MessageProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  /** 1 transient, 2 persistent. */
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  /** Per-message TTL in milliseconds, as a decimal string (AMQP convention). */
  expiration?: string;
  messageId?: string;
  /** Seconds since the epoch. */
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

/** x-delayed-message: RabbitMQ's delayed-message plugin's type (exchange/delayed.ts). */
export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers' | 'x-delayed-message';
export type QueueType = 'classic' | 'quorum' | 'stream';

export interface ExchangeDeclareOptions {
  durable?: boolean;
  autoDelete?: boolean;
  internal?: boolean;
  arguments?: FieldTable;
  /** Only check that it exists (404 when not). */
  passive?: boolean;
  /** Read back from the store at start-up: a name stored before the short-string rule is kept (see short-string.ts). */
  fromStore?: boolean;
}

export interface QueueDeclareOptions {
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  arguments?: FieldTable;
  passive?: boolean;
  /** Read back from the store at start-up: a name stored before the short-string rule is kept (see short-string.ts). */
  fromStore?: boolean;
  /** The name of a server-named queue (empty name), when the caller chose it first to check permissions on it (serverNamedQueue). */
  serverName?: string;
}

export interface QueueDeleteOptions {
  ifUnused?: boolean;
  ifEmpty?: boolean;
}

export interface QueueDeclareResult {
  name: string;
  messageCount: number;
  consumerCount: number;
}

export interface ConsumeOptions {
  /** Empty or missing: the server generates `amq.ctag-...`. */
  consumerTag?: string;
  noAck?: boolean;
  exclusive?: boolean;
  /** Consumer priority (`x-priority` consume argument); higher goes first. */
  priority?: number;
  arguments?: FieldTable;
}

/** What the transport gets for basic.deliver / basic.get-ok. */
export interface Delivery {
  readonly deliveryTag: number;
  /** Empty for basic.get. */
  readonly consumerTag: string;
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
  readonly message: { readonly properties: MessageProperties; readonly body: Buffer };
  /** Ready messages left in the queue; meaningful for basic.get only. */
  readonly messageCount: number;
}

/**
 * Pushes one delivery to the transport. Called synchronously from publish,
 * ack, consume start-up etc.; it may call back into the engine (ack, publish)
 * but must not throw: an exception would surface in whoever triggered it.
 */
export type DeliverFn = (delivery: Delivery) => void;
/** Server-initiated cancel (queue deleted): the transport sends basic.cancel. */
export type CancelFn = (consumerTag: string) => void;

export type ConfirmOutcome = 'ack' | 'nack' | 'deferred';

export interface PublishOptions {
  mandatory?: boolean;
  /**
   * Called once, later, when `confirm` was 'deferred' (the message waits for
   * the journal's fsync). Never called for 'ack'/'nack' results.
   */
  onConfirm?: (ack: boolean) => void;
}

export interface PublishResult {
  /** Number of queues that took the message. */
  readonly routed: number;
  /** True when no queue took it (the transport sends basic.return 312 if mandatory). */
  readonly unroutable: boolean;
  /**
   * The publisher-confirm outcome: 'ack' (every target queue took it or it was
   * unroutable), 'nack' (a target queue refused it: x-overflow reject-publish),
   * or 'deferred' (persistent message waiting for the store; `onConfirm` follows).
   */
  readonly confirm: ConfirmOutcome;
}

export interface ConnectionInfo {
  vhost: string;
  user: string;
  clientProperties: FieldTable;
  peerAddress: string;
  /** The client's TCP port, when the transport has one. */
  peerPort?: number;
  protocol?: string;
  /** Asked to close (console, vhost deletion, shutdown): send connection.close 320. */
  onCloseRequested?: (reason: string) => void;
  /** Bytes the transport has received and sent so far, for the console's rates. */
  traffic?: () => { received: number; sent: number };
}

export interface QueueCounters {
  published: number;
  delivered: number;
  redelivered: number;
  acked: number;
  rejected: number;
  deadLettered: number;
  expired: number;
  /** Dropped by an overflow policy (drop-head, reject-publish) without dead-lettering. */
  dropped: number;
}

export interface QueueStats {
  vhost: string;
  name: string;
  type: QueueType;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
  /** Name of the policy that applies to it, or null. */
  policy: string | null;
  /** The arguments in force: those declared with the policy's definition merged in. */
  effectiveArguments: FieldTable;
  /** Owning connection id of an exclusive queue. */
  ownerConnectionId: string | null;
  ready: number;
  unacked: number;
  /** Body bytes of ready messages. */
  readyBytes: number;
  consumers: number;
  /** Tag of the single active consumer, when x-single-active-consumer is set. */
  activeConsumerTag: string | null;
  counters: QueueCounters;
  /**
   * Milliseconds, since the queue was made, during which it had ready messages
   * and consumers but none of them could take one (all out of credit or paused).
   * Its growth rate is 1 − consumer utilisation.
   */
  consumersSaturatedMs: number;
  /**
   * Arrival order: the sequence number of the oldest ready message (null when
   * none) and the one the next message will get. The console dates arrivals
   * from these without a clock read per message.
   */
  headSeq: number | null;
  nextSeq: number;
  /** Delivery paused from the console (streams are never paused). */
  paused: boolean;
}

/** What a sorted list of thousands of queues needs of each, before it pages (Broker.listQueueSummaries). */
export type QueueSummary = Pick<QueueStats, 'vhost' | 'name' | 'type' | 'ready' | 'unacked' | 'readyBytes' | 'consumers'>;

/** A summary with the queue's live counters (the engine's own object: read it, never write), for /metrics/per-object. */
export interface QueueFigures extends QueueSummary {
  counters: Readonly<QueueCounters>;
}

export interface ExchangeCounters {
  /** Messages published to this exchange. */
  publishedIn: number;
  /** Queue deliveries routed from it (a fan-out to 3 queues counts 3). */
  publishedOut: number;
  unroutable: number;
  /** Unroutable mandatory messages returned to the publisher. */
  returned: number;
}

export interface ExchangeStats {
  vhost: string;
  name: string;
  type: ExchangeType;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
  /** Name of the policy that applies to it, or null. */
  policy: string | null;
  /** The alternate exchange in force: its own argument, else its policy's; null when none. */
  alternateExchange: string | null;
  counters: ExchangeCounters;
}

export interface BindingInfo {
  vhost: string;
  /** '' is the default exchange (its implicit bindings are listed too). */
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: FieldTable;
}

export interface ConsumerInfo {
  vhost: string;
  queue: string;
  consumerTag: string;
  connectionId: string;
  channel: number;
  noAck: boolean;
  exclusive: boolean;
  priority: number;
  /** Prefetch of the consumer (0 = unlimited). */
  prefetchCount: number;
  unacked: number;
  /** False for waiting single-active-consumer candidates. */
  active: boolean;
  arguments: FieldTable;
}

export interface ConnectionSummary {
  id: string;
  vhost: string;
  user: string;
  peerAddress: string;
  /** The client's TCP port (null when the transport has none, as the console's own connections). */
  peerPort: number | null;
  protocol: string;
  clientProperties: FieldTable;
  connectedAt: number;
  channels: number;
  consumers: number;
  unacked: number;
  /** Bytes received from and sent to the client so far (0 when the transport does not say). */
  bytesReceived: number;
  bytesSent: number;
}

export interface BrowsedMessage {
  /** 0-based position in the ready list. */
  position: number;
  /** The queue's number for it: stable while it stays in the queue (positions shift). */
  seq: number;
  /** Warren's broker id of the message (what a journey is searched by); null for a stream's record. */
  brokerId: number | null;
  redelivered: boolean;
  deliveryCount: number;
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
  /** Epoch ms when it expires, or null. */
  expiresAt: number | null;
}

/** A stored message recovery puts back into its queue (Broker.restoreQueueMessages). */
export interface RestoredMessage {
  seq: number;
  message: Message;
  /** It had gone to a consumer before: delivered as redelivered. */
  redelivered: boolean;
  /** Epoch ms deadline in its queue; 0 or absent for none stored. */
  expiresAt?: number;
}

/**
 * The messages of one queue in seq order: an array, or a view the store
 * walks without a list of them (journal replay's RecoveredMessages). `visit`
 * may remove from the store the message it is given.
 */
export interface RestoredMessages {
  forEach(visit: (restored: RestoredMessage) => void): void;
}

export interface TraceStep {
  /** Exchange whose binding or alternate-exchange link is examined. */
  exchange: string;
  exchangeType: ExchangeType;
  /** How the message reached `exchange`: published to it, a binding, or as its alternate. */
  via: 'publish' | 'exchange-binding' | 'alternate-exchange';
  /** Null for the implicit binding of the default exchange. */
  binding: BindingInfo | null;
  matched: boolean;
  /** Why it did or did not match, for the console's routing tester. */
  reason: string;
}

export interface TraceResult {
  steps: TraceStep[];
  /** Names of the queues the message would reach, each once. */
  queues: string[];
  unroutable: boolean;
}

export interface BrokerTotals {
  vhosts: number;
  connections: number;
  channels: number;
  consumers: number;
  exchanges: number;
  queues: number;
  ready: number;
  /** Body bytes of the ready messages. */
  readyBytes: number;
  unacked: number;
  published: number;
  delivered: number;
  redelivered: number;
  acked: number;
  rejected: number;
  deadLettered: number;
  expired: number;
  returned: number;
  unroutable: number;
  /** Messages dead-lettered for passing x-delivery-limit (to their dead-letter exchange or `<queue>.dlq`). */
  overDeliveryLimit: number;
  /** Faults the engine contained (a timer or a dead-lettering that threw); each was logged. */
  faults: number;
}

/** A policy as listed: its definition and how many queues and exchanges it applies to now. */
export interface PolicyInfo extends PolicyDefinition {
  vhost: string;
  appliesTo: { queues: number; exchanges: number };
}

// Views the consoles answer with, defined beside the code that builds them.
export type { DeadLetter, DeadLetterFilter } from './retry/dead-letter-view';
export type { RetryQueueInfo } from './retry/retry-console';
