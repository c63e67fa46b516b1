// Headers exchange: routing ignores the routing key and compares the
// message headers with the binding arguments. `x-match` selects `all`
// (default) or `any`; the `-with-x` variants also compare arguments whose
// names start with `x-`, which are otherwise ignored. A binding argument with
// no value (void) matches when the header is present with any value.

import type { Binding, Destination } from '../binding';
import { BrokerError } from '../errors';
import { sameFieldValue } from '../field-values';
import type { FieldTable } from '../types';
import { addUnique, Exchange, type MatchExplanation } from './exchange';

type MatchMode = 'all' | 'any' | 'all-with-x' | 'any-with-x';
const MODES: readonly string[] = ['all', 'any', 'all-with-x', 'any-with-x'];

/** Checks `x-match` of a binding's arguments (406 when invalid). */
export function validateHeadersBinding(args: FieldTable): void {
  const mode = args['x-match'];
  if (mode !== undefined && !(typeof mode === 'string' && MODES.includes(mode))) {
    throw new BrokerError('PRECONDITION_FAILED', `Invalid x-match field value ${JSON.stringify(mode)}; expected all, any, all-with-x, or any-with-x`);
  }
}

export class HeadersExchange extends Exchange {
  readonly type = 'headers' as const;

  route(_routingKey: string, headers: FieldTable | undefined): readonly Destination[] {
    const found: Destination[] = [];
    for (const b of this.bindings.values()) {
      if (headersMatch(b.args, headers ?? {}).matched) addUnique(found, b.destination);
    }
    return found;
  }

  explain(binding: Binding, _routingKey: string, headers: FieldTable | undefined): MatchExplanation {
    return headersMatch(binding.args, headers ?? {});
  }

  protected bound(): void {}
  protected unbound(): void {}
}

export function headersMatch(args: FieldTable, headers: FieldTable): MatchExplanation {
  const mode = (typeof args['x-match'] === 'string' ? args['x-match'] : 'all') as MatchMode;
  const withX = mode.endsWith('-with-x');
  const wantAll = mode.startsWith('all');
  const keys = Object.keys(args).filter((k) => k !== 'x-match' && (withX || !k.startsWith('x-')));
  let matches = 0;
  const misses: string[] = [];
  for (const key of keys) {
    const expected = args[key];
    const present = Object.hasOwn(headers, key);
    const ok = present && (expected === undefined || expected === null || sameFieldValue(expected, headers[key]));
    if (ok) matches++;
    else misses.push(present ? `${key} differs` : `${key} missing`);
  }
  if (wantAll) {
    const matched = misses.length === 0;
    return { matched, reason: matched ? `all ${keys.length} header(s) match` : `x-match ${mode}: ${misses.join(', ')}` };
  }
  const matched = matches > 0;
  return { matched, reason: matched ? `x-match ${mode}: ${matches} header(s) match` : `x-match ${mode}: no header matches` };
}
