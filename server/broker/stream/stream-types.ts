// Shapes the facade returns about streams (the console's streams page and
// its API). Only shapes; behaviour lives in StreamQueue.

import type { FieldTable } from '../types';
import type { GroupLag } from './consumer-groups';
import type { StreamRecord } from './stream-store';

export interface StreamStats {
  vhost: string;
  name: string;
  arguments: FieldTable;
  /** Retained records. */
  messages: number;
  bytes: number;
  segments: number;
  /** Null when nothing is retained. */
  firstOffset: number | null;
  lastOffset: number | null;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  /** Records appended since the broker started (sample it for a publish rate). */
  published: number;
  /** Deliveries since the broker started. */
  delivered: number;
  consumers: number;
  groups: number;
}

export interface StreamGroupInfo {
  name: string;
  /** Offset of the last acknowledged record (first offset - 1 before any ack). */
  committedOffset: number;
  consumers: number;
  /** Tag and connection of the consumer that reads for the group, or null. */
  activeConsumerTag: string | null;
  activeConnectionId: string | null;
  lag: GroupLag;
}

/** A message as read from a stream, with its offset and append time (epoch ms). */
export type StreamMessage = StreamRecord;

/** Where a page of messages, or a group reset, starts. */
export type StreamPosition = { kind: 'first' } | { kind: 'last' } | { kind: 'next' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; at: number };

export interface StreamPage {
  messages: StreamMessage[];
  /** Offset to ask for to read the page before this one, or null at the start. */
  previousOffset: number | null;
  /** Offset to ask for to read on (the tail's next offset when the page reached it). */
  nextOffset: number;
  firstOffset: number;
  /** Offset the next published message will get. */
  tailOffset: number;
}
