// Policies, as RabbitMQ has them: a named rule in a vhost whose `pattern` (a
// regular expression) selects queues and/or exchanges by name and whose
// `definition` sets their optional arguments without redeclaring them. Of
// the policies matching a name, the one with the highest priority applies
// (ties: the first by name). Streams take the keys that apply to them
// (max-age, max-length-bytes, stream-max-segment-size-bytes).
//
// Arguments and a policy meet as in RabbitMQ: for the limits (message-ttl,
// expires, max-length, max-length-bytes, delivery-limit) the lower value
// wins; for everything else the queue's own argument wins.

import { BrokerError } from '../errors';
import { fieldTypeName, integerOf } from '../field-values';
import { compileUserPattern, UserPatternError, type UserPattern } from '../patterns/user-pattern';
import { argumentProblem, AUTO_DEAD_LETTER_SUFFIX } from '../queue/queue-arguments';
import { shortStringProblem } from '../short-string';
import { parseDuration } from '../stream/stream-arguments';
import type { FieldTable } from '../types';

export type PolicyTarget = 'queues' | 'exchanges' | 'all';

export interface PolicyDefinition {
  name: string;
  /** Regular expression over queue or exchange names (unanchored, as in RabbitMQ; syntax in patterns/pattern-syntax.ts). */
  pattern: string;
  applyTo: PolicyTarget;
  priority: number;
  /** Keys without the `x-` prefix, e.g. { "max-length": 1000, "retry-tiers": ["5s", "1m"] }. */
  definition: Record<string, unknown>;
}

/** A key a policy may set: what it applies to, the kind of value, how it meets a declared argument, and what it does. */
export interface PolicyKey {
  key: string;
  target: 'queues' | 'exchanges';
  /** For queues: whether streams take it ('also'), only streams ('only'), or not ('no'). */
  streams: 'no' | 'also' | 'only';
  kind: 'integer' | 'text' | 'delays';
  merge: 'lower-wins' | 'argument-wins';
  help: string;
}

export const POLICY_KEYS: readonly PolicyKey[] = [
  { key: 'message-ttl', target: 'queues', streams: 'no', kind: 'integer', merge: 'lower-wins', help: 'ms a message may wait in the queue' },
  { key: 'expires', target: 'queues', streams: 'no', kind: 'integer', merge: 'lower-wins', help: 'ms unused before the queue is deleted' },
  { key: 'max-length', target: 'queues', streams: 'no', kind: 'integer', merge: 'lower-wins', help: 'most ready messages' },
  {
    key: 'max-length-bytes',
    target: 'queues',
    streams: 'also',
    kind: 'integer',
    merge: 'lower-wins',
    help: 'most ready body bytes (streams: most bytes kept)',
  },
  { key: 'delivery-limit', target: 'queues', streams: 'no', kind: 'integer', merge: 'lower-wins', help: 'redeliveries before a message counts as failed' },
  { key: 'overflow', target: 'queues', streams: 'no', kind: 'text', merge: 'argument-wins', help: 'drop-head, reject-publish or reject-publish-dlx' },
  { key: 'dead-letter-exchange', target: 'queues', streams: 'no', kind: 'text', merge: 'argument-wins', help: 'where failed and expired messages go' },
  { key: 'dead-letter-routing-key', target: 'queues', streams: 'no', kind: 'text', merge: 'argument-wins', help: 'routing key for dead letters' },
  {
    key: 'retry-tiers',
    target: 'queues',
    streams: 'no',
    kind: 'delays',
    merge: 'argument-wins',
    help: 'delays before a failed message returns, e.g. 5s, 30s, 5m',
  },
  { key: 'max-age', target: 'queues', streams: 'only', kind: 'text', merge: 'argument-wins', help: 'streams: how long records are kept, e.g. 7D, 12h' },
  { key: 'stream-max-segment-size-bytes', target: 'queues', streams: 'only', kind: 'integer', merge: 'argument-wins', help: 'streams: size of a segment file' },
  { key: 'alternate-exchange', target: 'exchanges', streams: 'no', kind: 'text', merge: 'argument-wins', help: 'where unroutable messages go' },
];
const TARGETS: readonly PolicyTarget[] = ['queues', 'exchanges', 'all'];
const MAX_NAME = 255;

/** The keys a policy may set for what it applies to. */
export function policyKeys(applyTo: PolicyTarget): string[] {
  return POLICY_KEYS.filter((k) => applyTo === 'all' || k.target === applyTo).map((k) => k.key);
}

/** Throws 406 PRECONDITION_FAILED saying what is wrong and what is accepted; returns the compiled pattern. */
export function checkPolicy(vhost: string, policy: PolicyDefinition): UserPattern {
  const fail = (detail: string) => new BrokerError('PRECONDITION_FAILED', `policy '${policy.name}' in vhost '${vhost}': ${detail}`);
  if (policy.name.trim() === '' || policy.name.length > MAX_NAME) throw fail(`a name of 1 to ${MAX_NAME} characters is required`);
  if (!TARGETS.includes(policy.applyTo)) throw fail(`apply-to must be one of ${TARGETS.join(', ')}, got '${String(policy.applyTo)}'`);
  if (!Number.isInteger(policy.priority)) throw fail(`priority must be an integer, got ${String(policy.priority)}`);
  let pattern: UserPattern;
  try {
    pattern = compileUserPattern(policy.pattern, 'pattern');
  } catch (error) {
    throw error instanceof UserPatternError ? fail(error.detail) : error;
  }
  const keys = Object.keys(policy.definition);
  if (keys.length === 0) throw fail('the definition is empty; set at least one key');
  const accepted = policyKeys(policy.applyTo);
  for (const key of keys) {
    if (!accepted.includes(key)) throw fail(`'${key}' cannot be set by a policy that applies to ${policy.applyTo}; accepted keys: ${accepted.join(', ')}`);
    const problem = valueProblem(key, policy.definition[key]);
    if (problem !== null) throw fail(`invalid value ${JSON.stringify(policy.definition[key])} for '${key}': ${problem}`);
  }
  return pattern;
}

function valueProblem(key: string, value: unknown): string | null {
  if (key === 'alternate-exchange' || key === 'dead-letter-routing-key') {
    if (typeof value !== 'string') return `expected a string, got ${fieldTypeName(value)}`;
    const problem = shortStringProblem(value);
    return problem === null ? null : `the value ${problem}`;
  }
  if (key === 'max-age') {
    return typeof value === 'string' && parseDuration(value) !== null ? null : 'expected a duration such as 7D, 12h, 30m or 10s (units Y M D h m s)';
  }
  if (key === 'stream-max-segment-size-bytes') {
    const n = integerOf(value);
    return n !== null && n > 0 ? null : 'expected a positive integer';
  }
  return argumentProblem(`x-${key}`, value);
}

/** A queue's arguments with the policy's definition merged in (the queue's own arguments first). */
export function queueArgumentsWithPolicy(queue: string, args: FieldTable, definition: Record<string, unknown> | null): FieldTable {
  if (definition === null) return args;
  const merged: FieldTable = { ...args };
  const stream = args['x-queue-type'] === 'stream';
  for (const { key, target, streams, merge } of POLICY_KEYS) {
    const value = definition[key];
    if (target !== 'queues' || (stream ? streams === 'no' : streams === 'only')) continue;
    // A dead-letter queue does not retry: else a policy matching `.*` would grow `q.dlq.dlq.dlq…`.
    if (key === 'retry-tiers' && queue.endsWith(AUTO_DEAD_LETTER_SUFFIX)) continue;
    if (value === undefined) continue;
    const argument = `x-${key}`;
    const own = args[argument];
    // A routing key means nothing without a dead-letter exchange (and a queue refuses one alone).
    if (key === 'dead-letter-routing-key' && merged['x-dead-letter-exchange'] === undefined) continue;
    if (own === undefined) merged[argument] = value as FieldTable[string];
    else if (merge === 'lower-wins') merged[argument] = lowerLimit(own, value);
  }
  return merged;
}

/** The lower of two limits; a negative delivery limit means none, so the other one wins. */
function lowerLimit(own: unknown, fromPolicy: unknown): FieldTable[string] {
  const a = integerOf(own);
  const b = integerOf(fromPolicy);
  if (a === null || a < 0) return fromPolicy as FieldTable[string];
  if (b === null || b < 0) return own as FieldTable[string];
  return (a <= b ? own : fromPolicy) as FieldTable[string];
}

/** An exchange's alternate exchange: its own argument, else the policy's. */
export function alternateExchangeWithPolicy(args: FieldTable, definition: Record<string, unknown> | null): string | undefined {
  const own = args['alternate-exchange'];
  if (typeof own === 'string') return own;
  const fromPolicy = definition?.['alternate-exchange'];
  return typeof fromPolicy === 'string' ? fromPolicy : undefined;
}
