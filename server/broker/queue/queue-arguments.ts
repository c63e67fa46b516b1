// Validation of queue.declare arguments, with RabbitMQ's error texts
// ("invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}"),
// and their parsed form. Unknown arguments are kept and ignored, as RabbitMQ does.

import { invalidArg } from '../errors';
import { fieldTypeName, integerOf, textOf } from '../field-values';
import { parseRetryTiers, retryTiersProblem, type TierDelay } from '../retry/tier-delays';
import { shortStringProblem } from '../short-string';
import type { FieldTable, QueueType } from '../types';

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

export interface QueueConfig {
  type: QueueType;
  /** x-message-ttl in ms. */
  messageTtl: number | null;
  /** x-expires in ms: delete the queue after this long unused. */
  expires: number | null;
  maxLength: number | null;
  maxLengthBytes: number | null;
  overflow: Overflow;
  deadLetterExchange: string | null;
  deadLetterRoutingKey: string | null;
  /** x-max-priority (1..255), null for a plain FIFO. */
  maxPriority: number | null;
  singleActiveConsumer: boolean;
  /** Redeliveries allowed before dead-lettering (quorum default 20). */
  deliveryLimit: number | null;
  /** x-retry-tiers: delays a failed message waits before it returns to the queue, or null. */
  retryTiers: TierDelay[] | null;
  /** The policy merged into this config (policy/), or null. */
  policy: string | null;
  /** The arguments in force: those declared, with the policy's definition merged in. */
  arguments: FieldTable;
}

export const AUTO_DEAD_LETTER_SUFFIX = '.dlq';

/** Where a queue with retry tiers and no dead-letter exchange sends its dead letters (through the default exchange). */
export function autoDeadLetterQueue(queue: string): string {
  return queue + AUTO_DEAD_LETTER_SUFFIX;
}

/** Ten years in ms: RabbitMQ's upper bound for TTLs. */
const MAX_EXPIRY = 315_360_000_000;
const MAX_PRIORITY = 255;
const QUORUM_DEFAULT_DELIVERY_LIMIT = 20;

/** A validator: null when the value is fine, else the reason as RabbitMQ prints it with ~p. */
type Check = (value: unknown, args?: FieldTable) => string | null;

const integer: Check = (value) => (integerOf(value) === null ? `"expected integer, got ${fieldTypeName(value)}"` : null);

const nonNegative: Check = (value) => {
  const n = integerOf(value);
  if (n === null) return integer(value);
  return n < 0 ? `{value_negative,${n}}` : null;
};

const expiry: Check = (value) => {
  const n = integerOf(value);
  if (n === null) return integer(value);
  if (n < 0) return `{value_negative,${n}}`;
  if (n > MAX_EXPIRY) return `{value_too_large,${n}}`;
  return null;
};

const expires: Check = (value) => (integerOf(value) === 0 ? '{value_zero,0}' : expiry(value));

const maxPriority: Check = (value) => {
  const error = nonNegative(value);
  if (error) return error;
  const n = integerOf(value) as number;
  return n > MAX_PRIORITY ? `{max_value_exceeded,${n}}` : null;
};

const longstr: Check = (value) => (typeof value === 'string' || Buffer.isBuffer(value) ? null : `{unacceptable_type,${fieldTypeName(value)}}`);

/** A name or routing key the broker will send to clients: an AMQP short string (short-string.ts). */
const shortText: Check = (value) => {
  const typeProblem = longstr(value);
  if (typeProblem !== null) return typeProblem;
  const problem = shortStringProblem(Buffer.isBuffer(value) ? value.toString('utf8') : (value as string));
  return problem === null ? null : `"the value ${problem}"`;
};

const deadLetterRoutingKey: Check = (value, args) =>
  shortText(value) ?? (args?.['x-dead-letter-exchange'] === undefined ? 'routing_key_but_no_dlx_defined' : null);

const overflow: Check = (value) =>
  typeof value === 'string' && ['drop-head', 'reject-publish', 'reject-publish-dlx'].includes(value)
    ? null
    : typeof value === 'string'
      ? 'invalid_overflow'
      : `{unacceptable_type,${fieldTypeName(value)}}`;

const bool: Check = (value) => (typeof value === 'boolean' ? null : `{unacceptable_type,${fieldTypeName(value)}}`);

const queueType: Check = (value) => {
  if (typeof value !== 'string') return `{unacceptable_type,${fieldTypeName(value)}}`;
  return ['classic', 'quorum', 'stream'].includes(value) ? null : `"unsupported queue type '${value}'"`;
};

/**
 * Every queue argument Warren knows, in the order they are checked: how a
 * declare checks it (null: streams check it, stream/stream-arguments.ts) and
 * whether streams take it. All of them are compared when a queue is declared
 * again (RabbitMQ's equivalence check); unknown ones are kept and ignored.
 */
const QUEUE_ARGUMENTS: Record<string, { check: Check | null; streams: boolean }> = {
  'x-expires': { check: expires, streams: false },
  'x-message-ttl': { check: expiry, streams: false },
  'x-dead-letter-exchange': { check: shortText, streams: false },
  'x-dead-letter-routing-key': { check: deadLetterRoutingKey, streams: false },
  'x-max-length': { check: nonNegative, streams: false },
  'x-max-length-bytes': { check: nonNegative, streams: true },
  'x-max-priority': { check: maxPriority, streams: false },
  'x-overflow': { check: overflow, streams: false },
  'x-single-active-consumer': { check: bool, streams: false },
  'x-queue-type': { check: queueType, streams: true },
  'x-delivery-limit': { check: integer, streams: false },
  'x-retry-tiers': { check: retryTiersProblem, streams: false },
  'x-max-age': { check: null, streams: true },
  'x-stream-max-segment-size-bytes': { check: null, streams: true },
};

/** The arguments compared on redeclare. */
export const EQUIVALENCE_ARGUMENTS: readonly string[] = Object.keys(QUEUE_ARGUMENTS);

/** Arguments of classic and quorum queues that a stream refuses. */
export const NOT_FOR_STREAMS: readonly string[] = Object.entries(QUEUE_ARGUMENTS)
  .filter(([, argument]) => !argument.streams)
  .map(([key]) => key);

/** Null when `value` is acceptable for argument `key` (e.g. 'x-max-length'), else RabbitMQ's reason; null for keys not checked here. */
export function argumentProblem(key: string, value: unknown, args?: FieldTable): string | null {
  const check = QUEUE_ARGUMENTS[key]?.check;
  return check === undefined || check === null ? null : check(value, args);
}

/** basic.consume arguments: `x-priority` must be an integer (406 otherwise). */
export function checkConsumeArguments(queue: string, vhost: string, args: FieldTable): void {
  if (args['x-priority'] === undefined) return;
  const error = integer(args['x-priority']);
  if (error) throw invalidArg(queue, vhost, 'x-priority', error);
}

/** Validates and parses; throws 406 PRECONDITION_FAILED with RabbitMQ's text. */
export function parseQueueArguments(queue: string, vhost: string, args: FieldTable): QueueConfig {
  for (const key of EQUIVALENCE_ARGUMENTS) {
    if (args[key] === undefined) continue;
    const error = argumentProblem(key, args[key], args);
    if (error) throw invalidArg(queue, vhost, key, error);
  }
  const type = (textOf(args['x-queue-type']) ?? 'classic') as QueueType;
  const deliveryLimit = integerOf(args['x-delivery-limit']);
  const retryTiers = args['x-retry-tiers'] === undefined ? null : parseRetryTiers(args['x-retry-tiers']);
  // Retry tiers without a dead-letter exchange end in `<queue>.dlq`, declared beside the queue.
  const autoDeadLetter = retryTiers !== null && args['x-dead-letter-exchange'] === undefined;
  return {
    type,
    messageTtl: integerOf(args['x-message-ttl']),
    expires: integerOf(args['x-expires']),
    maxLength: integerOf(args['x-max-length']),
    maxLengthBytes: integerOf(args['x-max-length-bytes']),
    overflow: (textOf(args['x-overflow']) ?? 'drop-head') as Overflow,
    deadLetterExchange: autoDeadLetter ? '' : textOf(args['x-dead-letter-exchange']),
    deadLetterRoutingKey: autoDeadLetter ? autoDeadLetterQueue(queue) : textOf(args['x-dead-letter-routing-key']),
    maxPriority: integerOf(args['x-max-priority']) || null,
    singleActiveConsumer: args['x-single-active-consumer'] === true,
    // A negative limit means unlimited (as RabbitMQ resolves it).
    deliveryLimit: deliveryLimit !== null ? (deliveryLimit < 0 ? null : deliveryLimit) : type === 'quorum' ? QUORUM_DEFAULT_DELIVERY_LIMIT : null,
    retryTiers,
    policy: null,
    arguments: args,
  };
}
