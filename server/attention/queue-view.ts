/** What the queue rules read of one queue: its figures now and its trend from the broker sampler (gather.ts). */
export interface QueueView {
  vhost: string;
  name: string;
  durable: boolean;
  ready: number;
  unacked: number;
  readyBytes: number;
  consumers: number;
  paused: boolean;
  /** In − out, messages per second over the last seconds; null before the sampler has a trend. */
  growthPerSecond: number | null;
  /** Messages published to it per second, last second. */
  incomingPerSecond: number;
  /** Messages acknowledged per second, last second. */
  ackPerSecond: number;
  /** x-max-length and x-max-length-bytes in force (declared or by policy), null when none. */
  maxLength: number | null;
  maxLengthBytes: number | null;
  /** Whether it holds dead letters (dead-letter-queues.ts). */
  deadLetterQueue: boolean;
  /** Its active consumers' prefetch and unacked (prefetch 0 = unlimited). */
  activeConsumers: { prefetch: number; unacked: number }[];
}

/** Free space on the data directory's disk above the disk alarm's limit, bytes; null when unknown. */
export type DiskHeadroom = number | null;
