/**
 * The name filter of long lists (the console's queue table, the management
 * API's name= parameter): a substring ignoring case, or a regular expression
 * in the linear-time subset of broker/patterns. Bad patterns and filters that
 * run too long are the user's errors (400).
 */
import { UserError } from '../auth/users';
import { compileUserPattern, UserPatternError, type UserPattern } from '../broker/patterns/user-pattern';

/**
 * Matching is linear in each name, but a long pattern over 10,000 long names can
 * still take seconds of the event loop that carries AMQP: the filter gives up then.
 */
const FILTER_TIME_LIMIT_MS = 250;

export function nameMatcher(filter: string, regex: boolean, what: string, items: string): (name: string) => boolean {
  if (!filter) return () => true;
  if (!regex) {
    const needle = filter.toLowerCase();
    return (name) => name.toLowerCase().includes(needle);
  }
  let pattern: UserPattern;
  try {
    pattern = compileUserPattern(filter, what, { ignoreCase: true });
  } catch (error) {
    // 400 with the problem and its position, e.g. "queue filter '(a' at position 1: the group opened here is not closed …".
    if (error instanceof UserPatternError) throw new UserError(error.detail);
    throw error;
  }
  const started = performance.now();
  let tested = 0;
  return (name) => {
    if (++tested % 16 === 0 && performance.now() - started > FILTER_TIME_LIMIT_MS) {
      throw new UserError(
        `${what} '${filter}' took more than ${FILTER_TIME_LIMIT_MS} ms over ${tested.toLocaleString('en')} ${items} and was stopped; use a shorter pattern (fewer or smaller repetitions)`,
      );
    }
    return pattern.test(name);
  };
}
