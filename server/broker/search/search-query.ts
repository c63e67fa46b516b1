// Compiles a SearchQuery into one predicate over a message. Every part is
// checked before the search starts, so a bad regular expression or JSON
// path is refused with its position and nothing runs.
//
// Cost bounds (a search runs on the event loop that carries AMQP):
// - a regular expression uses the engine's linear-time matcher, reads at
//   most the first REGEX_SCANNED_BYTES of a payload and is left to the caller
//   to run (`pattern`), in steps, since even linear time over a long payload
//   with a costly pattern is longer than a slice may take;
// - JSON conditions parse payloads up to JSON_PARSED_BYTES (larger ones do
//   not match a JSON condition);
// - a plain substring is searched in the raw bytes of the whole payload.
// Payloads cut short are counted (`truncated`), so the console can say so.

import { BrokerError } from '../errors';
import { textOf } from '../field-values';
import { compileUserPattern, type UserPattern } from '../patterns/user-pattern';
import type { MessageProperties } from '../types';
import { conditionHolds, parseJsonCondition } from './json-path';
import type { SearchQuery } from './search-types';

export const REGEX_SCANNED_BYTES = 1024 * 1024;
export const JSON_PARSED_BYTES = 1024 * 1024;

/** What a query looks at in one message (its time comes from the caller's `timeOf`). */
export interface Candidate {
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
}

export interface CompiledQuery<C extends Candidate = Candidate> {
  /** Every part but the payload pattern. */
  matches(candidate: C): boolean;
  /** The payload pattern, to test on patternText() once `matches` holds; null when the query has none. */
  pattern: UserPattern | null;
  patternText(body: Buffer): string;
  /** Whether the query reads at most a prefix of this payload. */
  truncates(body: Buffer): boolean;
}

/** `timeOf`: the time a time range looks at (see SearchQuery.from), or null when the message has none. */
export function compileQuery<C extends Candidate>(query: SearchQuery, timeOf: (candidate: C) => number | null): CompiledQuery<C> {
  const tests: ((c: C) => boolean)[] = [];
  let truncateAbove = Infinity;

  // Cheap tests first: a message failing one is never decoded.
  if (query.routingKey !== undefined) {
    const key = query.routingKey;
    tests.push((c) => c.routingKey === key);
  }
  if (query.messageId !== undefined) {
    const id = query.messageId;
    tests.push((c) => c.properties.messageId === id);
  }
  if (query.correlationId !== undefined) {
    const id = query.correlationId;
    tests.push((c) => c.properties.correlationId === id);
  }
  if (query.from !== undefined || query.to !== undefined) {
    const from = query.from ?? -Infinity;
    const to = query.to ?? Infinity;
    if (from > to) throw new BrokerError('PRECONDITION_FAILED', `search time range starts (${from}) after it ends (${to}); swap from and to`);
    tests.push((c) => {
      const time = timeOf(c);
      return time !== null && time >= from && time <= to;
    });
  }
  for (const { name, value } of query.headers ?? []) {
    if (name === '') throw new BrokerError('PRECONDITION_FAILED', 'a header condition needs the header name');
    tests.push((c) => headerText(c.properties.headers?.[name]) === value);
  }

  const payload = query.payload;
  let pattern: UserPattern | null = null;
  if (payload !== undefined && payload.text !== '') {
    if (payload.regex) {
      pattern = compileUserPattern(payload.text, 'payload pattern', { ignoreCase: payload.ignoreCase ?? false });
      truncateAbove = REGEX_SCANNED_BYTES;
    } else if (payload.ignoreCase) {
      const needle = payload.text.toLowerCase();
      tests.push((c) => c.body.toString('utf8').toLowerCase().includes(needle));
    } else {
      const needle = Buffer.from(payload.text, 'utf8');
      tests.push((c) => c.body.indexOf(needle) >= 0);
    }
  }

  const conditions = (query.json ?? []).map(parseJsonCondition);
  if (conditions.length > 0) {
    truncateAbove = Math.min(truncateAbove, JSON_PARSED_BYTES);
    tests.push((c) => {
      if (c.body.length > JSON_PARSED_BYTES) return false;
      let document: unknown;
      try {
        document = JSON.parse(c.body.toString('utf8'));
      } catch {
        return false; // not JSON: no JSON condition holds
      }
      return conditions.every((condition) => conditionHolds(condition, document));
    });
  }

  return {
    matches: (c) => {
      for (const test of tests) if (!test(c)) return false;
      return true;
    },
    pattern,
    patternText: (body) => body.toString('utf8', 0, Math.min(body.length, REGEX_SCANNED_BYTES)),
    truncates: (body) => body.length > truncateAbove,
  };
}

/** A header value as text: strings and long strings as they are, numbers and booleans written out. */
function headerText(value: unknown): string | null {
  const text = textOf(value);
  if (text !== null) return text;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return null;
}
