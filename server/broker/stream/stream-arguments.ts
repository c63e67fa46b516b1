// Declare and consume arguments of streams, checked with RabbitMQ's rules
// and texts where RabbitMQ has them:
//   declare: durable only (not exclusive, not auto-delete); x-max-age ("7D",
//   "12h", "30m", "10s"; also Y and M), x-max-length-bytes,
//   x-stream-max-segment-size-bytes; the classic-queue arguments are refused.
//   consume: x-stream-offset (first | last | next | an offset | a timestamp |
//   an interval such as "1h" meaning that long ago), x-stream-group (Warren).

import { BrokerError, invalidArg, resourceName } from '../errors';
import { fieldTypeName, integerOf, textOf } from '../field-values';
import { NOT_FOR_STREAMS } from '../queue/queue-arguments';
import type { QueueSettings } from '../queue/queue';
import type { FieldTable } from '../types';
import type { StreamLimits, StreamStore } from './stream-store';
import type { StreamPosition } from './stream-types';

/** RabbitMQ's default segment size is 500 MB; smaller segments let retention act sooner. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

const UNIT_MS: Record<string, number> = {
  Y: 365 * 86_400_000,
  M: 30 * 86_400_000,
  D: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
};

/** "7D" → ms; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)([YMDhms])$/.exec(text);
  // The pattern lets only the table's units through.
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : null;
}

/** 406 with a clear text for what a stream cannot be declared with. */
export function checkStreamDeclare(vhost: string, name: string, settings: QueueSettings): void {
  const refuse = (property: string, why: string) =>
    new BrokerError('PRECONDITION_FAILED', `invalid property '${property}' for ${resourceName('queue', name, vhost)}: ${why}`);
  if (!settings.durable) throw refuse('non-durable', 'streams are always durable, declare it with durable=true');
  if (settings.exclusive) throw refuse('exclusive-owner', 'streams cannot be exclusive');
  if (settings.autoDelete) throw refuse('auto-delete', 'streams cannot be auto-delete');
  const args = settings.arguments;
  for (const arg of NOT_FOR_STREAMS) {
    if (args[arg] !== undefined) {
      throw new BrokerError('PRECONDITION_FAILED', `invalid arg '${arg}' for ${resourceName('queue', name, vhost)} of queue type rabbit_stream_queue`);
    }
  }
  const maxAge = args['x-max-age'];
  if (maxAge !== undefined) {
    const text = textOf(maxAge);
    if (text === null || parseDuration(text) === null) {
      throw invalidArg(name, vhost, 'x-max-age', `"expected a duration such as 7D, 12h, 30m or 10s (units Y M D h m s), got ${text ?? fieldTypeName(maxAge)}"`);
    }
  }
  const segment = args['x-stream-max-segment-size-bytes'];
  if (segment !== undefined) {
    const n = integerOf(segment);
    if (n === null || n <= 0) throw invalidArg(name, vhost, 'x-stream-max-segment-size-bytes', `"expected a positive integer, got ${String(segment)}"`);
  }
}

export function streamLimits(args: FieldTable): StreamLimits {
  const maxAge = textOf(args['x-max-age']);
  return {
    maxAgeMs: maxAge === null ? null : parseDuration(maxAge),
    maxBytes: integerOf(args['x-max-length-bytes']),
    maxSegmentBytes: integerOf(args['x-stream-max-segment-size-bytes']) ?? DEFAULT_SEGMENT_BYTES,
  };
}

/** x-stream-offset → spec; default `next` as RabbitMQ. 406 for anything else. */
export function parseStreamPosition(queue: string, vhost: string, value: unknown, now: number): StreamPosition {
  if (value === undefined) return { kind: 'next' };
  if (value instanceof Date) return { kind: 'timestamp', at: value.getTime() };
  const n = integerOf(value);
  if (n !== null && n >= 0) return { kind: 'offset', offset: n };
  const text = textOf(value);
  if (text === 'first' || text === 'last' || text === 'next') return { kind: text };
  const ago = text === null ? null : parseDuration(text);
  if (ago !== null) return { kind: 'timestamp', at: now - ago };
  throw invalidArg(
    queue,
    vhost,
    'x-stream-offset',
    `"expected first, last, next, an offset >= 0, a timestamp or an interval such as 1h, got ${text ?? String(value)}"`,
  );
}

/** x-stream-group: a non-empty name, or null when absent. */
export function parseGroupName(queue: string, vhost: string, value: unknown): string | null {
  if (value === undefined) return null;
  const text = textOf(value);
  if (text === null || text === '' || text.length > 255) {
    throw invalidArg(queue, vhost, 'x-stream-group', `"expected a group name of 1 to 255 characters"`);
  }
  return text;
}

/** The offset a spec designates now: clamped to [firstOffset, nextOffset] (past the tail waits for new records). */
export function resolveOffset(spec: StreamPosition, store: StreamStore): number {
  const first = store.firstOffset;
  const next = store.nextOffset;
  switch (spec.kind) {
    case 'first':
      return first;
    case 'last':
      return next > first ? next - 1 : next;
    case 'next':
      return next;
    case 'offset':
      return Math.min(Math.max(spec.offset, first), next);
    case 'timestamp':
      return Math.max(store.offsetAt(spec.at), first);
  }
}
