// The one way the engine matches names against a regular expression a user
// gave: policy patterns, permission patterns, the console's name filter.
// Matching takes time linear in the name whatever the pattern (see matcher.ts),
// so no pattern can stall the event loop that carries AMQP; what cannot be
// matched that way, or is not supported, is refused with its position
// (see pattern-syntax.ts for the syntax).

import { BrokerError } from '../errors';
import { Matcher, type MatchInProgress } from './matcher';
import { parsePattern, PatternSyntaxError } from './pattern-syntax';
import { compileProgram } from './program';

export interface UserPattern {
  readonly source: string;
  /** As RegExp.prototype.test: true when the pattern matches somewhere in `name` (unless anchored with ^ or $). */
  test(name: string): boolean;
  /** The same test in steps, so that a long text can be tested a slice at a time (see Matcher.start). */
  start(text: string): MatchInProgress;
}

export interface UserPatternOptions {
  /** As RegExp's `i` flag. */
  ignoreCase?: boolean;
}

export const MAX_PATTERN_LENGTH = 1000;

/** 406 PRECONDITION_FAILED for a pattern; `detail` is the text after "PRECONDITION_FAILED - ", for callers that add their own context. */
export class UserPatternError extends BrokerError {
  constructor(readonly detail: string) {
    super('PRECONDITION_FAILED', detail);
  }
}

/** Throws UserPatternError naming `what` (e.g. "policy pattern", "queue filter"), the problem and its position. */
export function compileUserPattern(pattern: string, what: string, options: UserPatternOptions = {}): UserPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new UserPatternError(
      `${what} is ${pattern.length.toLocaleString('en')} characters long; at most ${MAX_PATTERN_LENGTH.toLocaleString('en')} are accepted`,
    );
  }
  let matcher: Matcher;
  try {
    matcher = new Matcher(compileProgram(parsePattern(pattern)), options.ignoreCase ?? false);
  } catch (error) {
    if (error instanceof PatternSyntaxError) throw new UserPatternError(`${what} '${pattern}' at position ${error.position}: ${error.problem}`);
    throw error;
  }
  return { source: pattern, test: (name) => matcher.test(name), start: (text) => matcher.start(text) };
}
