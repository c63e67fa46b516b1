// Engine-wide counters for the life of the process, as RabbitMQ's global
// counters (rabbitmq_global_*) and churn metrics: deleting a queue or
// closing a channel takes nothing off them, so Prometheus never sees a
// reset. Plain fields incremented in place where the event happens (no
// lookups on the hot path). The transport counts what only it knows
// (confirm mode); everything else is counted by the engine.

import { BucketCounts } from './bucket-counts';
import { newQueueCounters } from './queue/queue';
import type { QueueCounters } from './types';

/** RabbitMQ's buckets for rabbitmq_message_size_bytes (rabbit_msg_size_metrics.erl). */
export const MESSAGE_SIZE_BOUNDS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 50_000_000, 100_000_000] as const;

export class GlobalCounters {
  connectionsOpened = 0;
  connectionsClosed = 0;
  channelsOpened = 0;
  channelsClosed = 0;
  /** queue.declare (and console declarations) that succeeded, new queue or not. */
  queuesDeclared = 0;
  queuesCreated = 0;
  queuesDeleted = 0;
  /** Publishes on a channel in confirm mode; and confirms acked to publishers (counted by the transport). */
  receivedConfirm = 0;
  confirmed = 0;
  deliveredConsumeManualAck = 0;
  deliveredConsumeAutoAck = 0;
  deliveredGetManualAck = 0;
  deliveredGetAutoAck = 0;
  getEmpty = 0;
  redelivered = 0;
  acknowledged = 0;
  /** Channels that have published at least once and are open (a gauge, as rabbitmq_global_publishers). */
  publishers = 0;
  /** Bytes received and sent by connections that have closed (the live ones report their own). */
  closedConnectionBytesReceived = 0;
  closedConnectionBytesSent = 0;
  /** Body sizes of the messages published. */
  readonly messageSizes = new BucketCounts(MESSAGE_SIZE_BOUNDS);
  /**
   * The per-queue counters of every queue removed so far: added to the live
   * queues' sums, totals over queues only grow.
   */
  readonly retiredQueues: QueueCounters = newQueueCounters();

  /** A queue is gone: keep what it counted. */
  retireQueue(counters: QueueCounters): void {
    for (const key of Object.keys(counters) as (keyof QueueCounters)[]) this.retiredQueues[key] += counters[key];
  }
}
