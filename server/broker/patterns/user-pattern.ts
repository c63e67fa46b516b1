// Regular expressions that people type (permission patterns), compiled in one
// place so that every caller refuses a bad pattern with the same message and
// matches the same way: unanchored, as RabbitMQ's re:run, so `.*` matches
// every name and `^foo` is anchored only because its author anchored it.

import { BrokerError } from '../errors';

export interface UserPattern {
  /** The pattern as given. */
  source: string;
  test(name: string): boolean;
}

/** Compiles `pattern`; `what` names it in the refusal, e.g. "configure permission". 406 PRECONDITION_FAILED when invalid. */
export function compileUserPattern(pattern: string, what: string): UserPattern {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (error) {
    throw new BrokerError('PRECONDITION_FAILED', `invalid ${what} '${pattern}': ${(error as Error).message}`);
  }
  return { source: pattern, test: (name) => re.test(name) };
}
