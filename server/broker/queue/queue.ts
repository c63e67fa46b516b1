// What the rest of the engine needs from a queue. ClassicQueue is the
// in-memory implementation; a PostgreSQL-backed one for several nodes can
// implement the same interface later.

import { BrokerError, resourceName } from '../errors';
import type { Binding } from '../binding';
import type { Channel } from '../channel';
import type { Connection } from '../connection';
import type { Consumer } from '../consumer';
import type { Message } from '../message';
import type { HoldingArea } from '../retry/holding-area';
import type { JourneyTracing } from '../journey/journey-tracing';
import type { RetryTiers } from '../retry/retry-tiers';
import type { Scheduler } from '../scheduler';
import type { Store } from '../store';
import type { StreamStorage } from '../stream/stream-store';
import type { Unacked } from '../unacked';
import type { BrowsedMessage, FieldTable, QueueCounters, QueueStats } from '../types';
import type { QueueConfig } from './queue-arguments';

export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

/** enqueue() outcomes. */
export const REFUSED = 0;
export const ENQUEUED = 1;
/** Enqueued and handed to the store: the publisher confirm waits for its flush. */
export const ENQUEUED_STORED = 2;
/** Enqueued into a queue that writes on its own (a stream): the publisher confirm waits for its flush(). */
export const ENQUEUED_SYNCING = 3;
export type EnqueueOutcome = typeof REFUSED | typeof ENQUEUED | typeof ENQUEUED_STORED | typeof ENQUEUED_SYNCING;

export interface QueueSettings {
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
}

/**
 * What deadLetter did: false when the dead-letter exchange is missing; true
 * once the copies are in their queues; `forwarded` when some went to queues
 * other nodes serve (cluster mode): it calls back once those owners confirmed.
 */
export type DeadLettered = boolean | { forwarded(done: (error?: Error) => void): void };

/** What a queue needs from its vhost and the engine. */
export interface QueueHost {
  readonly store: Store;
  readonly scheduler: Scheduler;
  now(): number;
  /** Publishes a dead-lettered copy through the queue's dead-letter exchange; false when that exchange is missing. */
  deadLetter(queue: Queue, message: Message, reason: DeathReason): DeadLettered;
  /** Deletes the queue (auto-delete after the last consumer, x-expires). */
  expire(queue: Queue): void;
  /** A new broker-wide message id (for messages the engine rewrites). */
  nextMessageId(): number;
  /** The vhost's retry holding areas by their reserved names (for recovery). */
  readonly holdingAreas: Map<string, HoldingArea>;
  /** Where streams keep their records. */
  readonly streams: StreamStorage;
  /** Reports a fault the queue contained: it left the message where it was and carries on. */
  fault(what: string, error: unknown): void;
  /** Where the steps of traced messages are recorded. */
  readonly journeys: JourneyTracing;
}

export interface Queue {
  readonly kind: 'queue';
  readonly vhost: string;
  readonly name: string;
  readonly settings: QueueSettings;
  readonly config: QueueConfig;
  /** Owning connection of an exclusive queue. */
  readonly owner: Connection | null;
  /** [this], the default exchange's routing result for this queue. */
  readonly selfRoute: readonly Queue[];
  /** Bindings with this queue as destination. */
  readonly bindings: Set<Binding>;
  readonly deleted: boolean;
  readonly messageCount: number;
  /** Body bytes of the ready messages. */
  readonly readyBytes: number;
  readonly consumerCount: number;
  readonly unackedCount: number;
  /** Live counters, incremented on the hot path; read them, never write. */
  readonly counters: QueueCounters;
  /** Its x-retry-tiers, or null. */
  readonly retry: RetryTiers | null;
  /** Messages entering it are traced (set by its vhost: the queue's own setting, or the vhost's). */
  traced: boolean;

  /**
   * Takes a new config when a policy that applies to it is set, changed or
   * removed (queues that take policies). Limits apply at once; a new
   * message TTL applies to messages enqueued from now on.
   */
  reconfigure(config: QueueConfig): void;
  /** Takes a routed message; may deliver it at once. */
  enqueue(message: Message): EnqueueOutcome;
  /** Queues answering ENQUEUED_SYNCING: calls `done` once what they took is on disk. */
  flush?(done: (error?: Error) => void): void;
  /**
   * Recovery: puts a stored message back at its original seq, without telling
   * the store. `expiresAt`: its stored deadline (epoch ms), 0 when none.
   */
  restore(message: Message, seq: number, deliveryCount: number, expiresAt: number): void;
  /** Recovery: new messages are numbered from `next` on at least (a seq a store still knows of is never reused). */
  restoreNextSeq?(next: number): void;
  /** Registers a consumer (403 on exclusive-consumer conflicts); the caller then calls dispatch(). */
  addConsumer(consumer: Consumer): void;
  /** Unregisters; may auto-delete the queue. */
  removeConsumer(consumer: Consumer): void;
  /** Delivers to consumers with credit while messages are ready. */
  dispatch(): void;
  ack(delivery: Unacked): void;
  /** Back to the original position, marked redelivered (or dead-lettered past the delivery limit). */
  requeue(delivery: Unacked): void;
  /** Rejected without requeue: dead-lettered or dropped. */
  reject(delivery: Unacked): void;
  /** Marks the queue as used (x-expires). */
  touch(): void;
  browse(offset: number, limit: number): BrowsedMessage[];
  /** Consumers with their active flag (false for waiting single-active-consumer candidates). */
  consumerList(): { consumer: Consumer; active: boolean }[];
  /** Tears down: server-cancels consumers, drops messages; returns how many were ready. */
  destroy(): number;
  stats(): QueueStats;
  /** This queue's message operations, or null for a stream (whose records are only read, never taken). */
  readonly messages: MessageOperations | null;
}

/**
 * What a queue whose messages are taken out (classic, quorum) does beyond
 * the core: a stream has none of it, and asking a stream answers 406 (see
 * messageOperations).
 */
export interface MessageOperations {
  /** basic.get. */
  get(channel: Channel, noAck: boolean): Unacked | null;
  purge(): number;
  /** The next message to deliver, without taking it. */
  head(): Message | undefined;
  /** Removes up to `count` ready messages from the head, in order (for moves). */
  take(count: number): Message[];
  /**
   * Takes up to `max` ready messages that `pick` selects out of the queue and
   * hands each to `place`, which puts it elsewhere and says whether it did; a
   * refused one goes back to its position. The store hears of a removal only
   * after `place` succeeded, in the same synchronous step. Returns how many moved.
   */
  extract(pick: (message: Message, seq: number) => boolean, max: number, place: (message: Message) => boolean): number;
  /** Pauses or resumes delivery: consumers stay attached and nothing goes to them (nor to basic.get) while paused. */
  setPaused(paused: boolean): void;
}

/** The queue's message operations; 406 naming `what` when it is a stream. */
export function messageOperations(queue: Queue, what: string): MessageOperations {
  if (queue.messages !== null) return queue.messages;
  throw new BrokerError(
    'PRECONDITION_FAILED',
    `${resourceName('queue', queue.name, queue.vhost)} is a stream: it cannot ${what}, since records stay until retention ` +
      '(x-max-age, x-max-length-bytes) removes them; read it from an offset instead, or delete the stream',
  );
}

/** A queue's counters at creation: every count at zero. */
export function newQueueCounters(): QueueCounters {
  return { published: 0, delivered: 0, redelivered: 0, acked: 0, rejected: 0, deadLettered: 0, expired: 0, dropped: 0 };
}
