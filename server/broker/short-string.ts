// The one rule for text that AMQP carries as a short string (names of queues,
// exchanges and vhosts, routing keys, consumer tags, header names, most basic
// properties): well-formed Unicode that is at most 255 bytes in UTF-8.
//
// Frames from clients are held to it when they are decoded (codec/reader.ts
// refuses bytes that are not UTF-8); names and keys that arrive any other way
// (the console, the HTTP API, a definitions file, a policy) are held to it
// here, so that nothing the broker accepts is later impossible to send.

import { BrokerError } from './errors';

export const SHORT_STRING_MAX_BYTES = 255;

/**
 * No UTF-16 code unit takes more than 3 bytes in UTF-8, so a string of at
 * most this many units always fits: the common case costs one comparison.
 */
const ALWAYS_FITS = Math.floor(SHORT_STRING_MAX_BYTES / 3);

/** Why `value` cannot be an AMQP short string, or null when it can. */
export function shortStringProblem(value: string): string | null {
  if (!value.isWellFormed()) return 'contains a lone UTF-16 surrogate, which has no UTF-8 form';
  if (value.length <= ALWAYS_FITS) return null;
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes > SHORT_STRING_MAX_BYTES ? `is ${bytes} bytes in UTF-8; AMQP allows at most ${SHORT_STRING_MAX_BYTES}` : null;
}

/** 406 PRECONDITION_FAILED naming `what` (e.g. "queue name 'x…'") when `value` is no short string. */
export function checkShortString(what: string, value: string): void {
  const problem = shortStringProblem(value);
  if (problem !== null) throw new BrokerError('PRECONDITION_FAILED', `${what} ${problem}`);
}

/** A name as error texts show it: long ones cut, so the reply text itself stays a short string. */
export function shownName(name: string): string {
  return name.length <= 48 ? name : `${name.slice(0, 40)}…`;
}
