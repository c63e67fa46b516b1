// Cluster mode: queues that another node serves (docs/cluster.md, The
// forwarding path). The engine stays free of I/O: it asks `RemoteOwners`
// whether a queue is served elsewhere, and the cluster code supplies the link
// that carries publishes, consumers and settlements to that node. Without
// RemoteOwners (one node) nothing here is used.

import type { Channel } from './channel';
import type { Message } from './message';
import type { FieldTable, MessageProperties, QueueDeleteOptions } from './types';

/** A delivery the owner made to a link consumer, relayed to the client's consumer here. */
export interface RemoteDelivery {
  /** The owner's delivery tag on the link: settlements go back with it. */
  linkTag: number;
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
  redelivered: boolean;
}

/** What a basic.get the owner answered brings. */
export interface RemoteGet extends RemoteDelivery {
  /** Messages left in the queue on the owner. */
  messageCount: number;
}

export interface QueueCounts {
  messageCount: number;
  consumerCount: number;
}

/** A client's basic.consume, as the owner gets it. */
export interface RemoteConsumerSpec {
  tag: string;
  prefetch: number;
  noAck: boolean;
  exclusive: boolean;
  priority: number;
  args: FieldTable;
}

export interface RemoteConsumerHandlers {
  /** False when the consumer was gone already: the delivery goes back to the owner's queue. */
  deliver(delivery: RemoteDelivery): boolean;
  /** The owner cancelled the consumer, or the link to it broke. */
  cancelled(): void;
}

export type Settlement = 'ack' | 'requeue' | 'reject';

/**
 * The link to the node that serves a queue. Everything a client channel sends
 * goes on one link channel of its own, so its order holds across nodes.
 */
export interface QueueLink {
  /** The serving node's name, for messages. */
  readonly owner: string;
  /** Sends `message` to the owner's `queue`; `done` once the owner confirmed it (an error when it refused or the link broke). */
  forward(channel: Channel | undefined, queue: string, message: Message, done: (error?: Error) => void): void;
  consume(channel: Channel, queue: string, spec: RemoteConsumerSpec, handlers: RemoteConsumerHandlers): void;
  cancel(channel: Channel, consumerTag: string): void;
  /** The owner's counts for queue.declare-ok; null when the owner cannot be reached. */
  counts(queue: string, done: (counts: QueueCounts | null) => void): void;
  /** basic.get on the owner: the message (with the owner's count of messages left) or null when the queue is empty; an error when the owner cannot be reached. */
  get(channel: Channel, queue: string, noAck: boolean, done: (result: RemoteGet | null, error?: Error) => void): void;
  settle(channel: Channel, linkTag: number, how: Settlement): void;
  /** queue.purge on the owner: its count of messages purged; a BrokerError when it refused or cannot be reached. */
  purge(queue: string, done: (count: number, error?: Error) => void): void;
  /** queue.delete on the owner, which checks ifUnused and ifEmpty: its count of messages deleted; a BrokerError when it refused or cannot be reached. */
  delete(queue: string, options: QueueDeleteOptions, done: (count: number, error?: Error) => void): void;
  /** The client's channel closed: its link channel closes too, and the owner requeues what it had unacked. */
  channelClosed(channel: Channel): void;
}

export interface RemoteOwners {
  /**
   * The link to the node serving this queue when another node does; null when
   * this node serves it. Only durable queues have one owner for the cluster:
   * a non-durable one is served by the node it lives on.
   */
  linkFor(vhost: string, queue: string, durable: boolean, origin: Channel | undefined): QueueLink | null;
  /** Whether a connection of this user is another node's link: its publishes name their queue and are never forwarded again. */
  isLink(user: string): boolean;
}

/** The header a link publish carries: the exchange and routing key the message was published with on the first node. */
export const FORWARDED_HEADER = 'x-warren-forwarded';
