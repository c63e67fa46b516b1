// The engine's only window onto durability. The engine calls these hooks
// synchronously on its own path; an implementation (server/store) records
// them in the metadata database and the message journal. The engine never
// waits on them except through `flush`, which defers publisher confirms.
//
// Recovery: the durability layer re-declares the stored topology through the
// Broker facade (these hooks then fire again for what was just loaded, so
// treat them as idempotent upserts) and puts messages back with
// Broker.restoreMessage, which does not call messageEnqueued.

import type { ExchangeType, FieldTable, QueueType } from './types';
import type { Message } from './message';
import type { PolicyDefinition } from './policy/policy-definition';

export interface ExchangeDefinition {
  vhost: string;
  name: string;
  type: ExchangeType;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface QueueDefinition {
  vhost: string;
  name: string;
  type: QueueType;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
}

export interface BindingDefinition {
  vhost: string;
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: FieldTable;
}

export interface Store {
  /**
   * True when the store keeps messages. When false the engine skips the
   * message hooks entirely and confirms every publish synchronously.
   */
  readonly persistsMessages: boolean;

  // Topology: called only for durable entities (and for all vhosts).
  vhostCreated(name: string): void;
  vhostDeleted(name: string): void;
  exchangeDeclared(def: ExchangeDefinition): void;
  exchangeDeleted(vhost: string, name: string): void;
  queueDeclared(def: QueueDefinition): void;
  /** Its remaining messages are gone with it. */
  queueDeleted(vhost: string, name: string): void;
  bindingAdded(def: BindingDefinition): void;
  bindingRemoved(def: BindingDefinition): void;
  /** A policy was added or replaced (policies are always durable). */
  policySet?(vhost: string, policy: PolicyDefinition): void;
  policyDeleted?(vhost: string, name: string): void;
  /** A durable queue's delivery was paused or resumed from the console; kept across restarts. */
  queuePaused?(vhost: string, name: string, paused: boolean): void;
  /** Journey tracing of a whole vhost (`queue` null) or of one durable queue was turned on or off; kept across restarts. */
  tracingSet?(vhost: string, queue: string | null, on: boolean): void;

  /**
   * Cluster mode: whether this node may deliver from the durable queue now
   * (it holds the queue's lease, and its own lease has not run out). Asked
   * before every delivery and get of a durable queue, so a node that could
   * not renew its lease stops at once, before any timer of its could run.
   * Absent: always. Broker.deliverAgain when it turns true.
   */
  mayDeliver?(vhost: string, queue: string): boolean;

  /**
   * A persistent message (delivery mode 2) entered a durable queue at
   * position `seq` (per-queue, increasing). The same Message object may be
   * stored in several queues; `message.id` identifies it. `expiresAt`: epoch
   * ms at which it expires in this queue (x-message-ttl, expiration), 0 for
   * never; stored so that the TTL keeps counting across a restart
   * (Broker.restoreMessage takes it back).
   */
  messageEnqueued(vhost: string, queue: string, seq: number, message: Message, expiresAt: number): void;
  /** The message at `seq` left the durable queue for good (acked, dropped, expired, dead-lettered, purged, moved). */
  messageRemoved(vhost: string, queue: string, seq: number): void;
  /**
   * The message at `seq` went to a consumer that must ack it, so that after a
   * restart it comes back redelivered. Not synced on its own (a hint).
   */
  messageDelivered?(vhost: string, queue: string, seq: number): void;

  /**
   * Broker.moveMessages and dead-letter requeues bracket each message they
   * move from queue `from`: in between, `message` is enqueued into the target
   * and the original removed from `from`, which a store may record as one
   * atomic move. `message` is the original itself, or (a requeued dead
   * letter) a rewritten copy with its own id. A moveStarted before the last
   * move's moveFinished finishes that move first.
   */
  moveStarted?(vhost: string, from: string, message: Message): void;
  moveFinished?(): void;

  /**
   * Grows with every change recorded (any kind); unchanged across an
   * operation means the operation recorded nothing, so its reply need not
   * wait for `flush`. Undefined: the store records nothing.
   */
  readonly recorded?: number;

  /**
   * Call `done` once everything recorded so far is on disk (group commit:
   * many calls may share one fsync). Used to defer publisher confirms.
   */
  flush(done: (error?: Error) => void): void;
}

/** Default store: keeps nothing, so every confirm is immediate. */
export class NullStore implements Store {
  readonly persistsMessages = false;
  vhostCreated(): void {}
  vhostDeleted(): void {}
  exchangeDeclared(): void {}
  exchangeDeleted(): void {}
  queueDeclared(): void {}
  queueDeleted(): void {}
  bindingAdded(): void {}
  bindingRemoved(): void {}
  messageEnqueued(): void {}
  messageRemoved(): void {}
  flush(done: (error?: Error) => void): void {
    done();
  }
}
