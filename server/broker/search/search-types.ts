// What a message search takes and answers (through Broker.search); the
// facade re-exports these types.

import type { MessageProperties } from '../types';

/** Every field that is set must hold (AND); an empty query matches every message. */
export interface SearchQuery {
  /** Text in the payload (read as UTF-8): a substring, or a regular expression when `regex` (the linear-time subset, see patterns/). */
  payload?: { text: string; regex?: boolean; ignoreCase?: boolean };
  /** JSON path conditions on the payload, e.g. "$.order.id == 42", "$.amount > 100" (see json-path.ts). */
  json?: string[];
  /** Headers whose value, as text, equals `value`. */
  headers?: { name: string; value: string }[];
  /** Exactly this routing key. */
  routingKey?: string;
  messageId?: string;
  correlationId?: string;
  /**
   * Time range, epoch ms, both ends included: the append time of a stream
   * record, the time a retry tier took the message, else the message's AMQP
   * timestamp property (a message without one is outside any range).
   */
  from?: number;
  to?: number;
}

/** Where to search: a queue (a dead-letter queue is one), a stream, or a retry tier's holding area (`amq.retry.…`). */
export interface SearchTarget {
  vhost: string;
  name: string;
}

export interface SearchHit {
  /** Position in the queue or tier when it was read (0 is the head); for a stream, the record's offset. */
  position: number;
  /** The queue's (or tier's) number for the message; for a stream, the record's offset. */
  seq: number;
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
  redelivered: boolean;
  /** The time the time range looks at (see SearchQuery.from), or null. */
  time: number | null;
}

export type SearchState = 'running' | 'finished' | 'cancelled' | 'failed';

export interface SearchProgress {
  id: number;
  vhost: string;
  name: string;
  /** The long operation it runs as (Broker.operations: progress, cancel). */
  operationId: number;
  state: SearchState;
  /** Messages read so far, and how many there were when it started. */
  scanned: number;
  total: number;
  /** Messages that matched; only the first `maxHits` are kept. */
  matched: number;
  keptHits: number;
  slices: number;
  /** Payloads longer than the searched prefix (their text and JSON were not fully looked at). */
  truncatedBodies: number;
  startedAt: number;
  elapsedMs: number;
  error: string | null;
}
