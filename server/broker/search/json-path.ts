// JSON path conditions of a message search: `$.order.id == 42`,
// `$.amount > 100`, `$.items[0].sku != "x"`, `$['odd key'] == true`, or a
// path alone (`$.order.refund`: it is there and not null).
//
// Grammar:
//   condition := path [ op literal ]
//   path      := '$' ( '.' name | '[' ( integer | quoted ) ']' )*
//   op        := '==' | '!=' | '<' | '<=' | '>' | '>='
//   literal   := number | quoted | true | false | null
// Names are letters, digits, '_' and '-'; quoted strings use ' or " with
// backslash escapes. `<`, `>` and friends compare numbers with numbers and
// strings with strings; other pairs never match. A bad condition is refused
// with its 1-based position.

import { BrokerError } from '../errors';

export type JsonLiteral = number | string | boolean | null;
export type JsonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface JsonCondition {
  readonly source: string;
  /** Property names and array indexes from the root. */
  readonly path: readonly (string | number)[];
  /** Null: the condition only asks that the value is there and not null. */
  readonly operator: JsonOperator | null;
  readonly value: JsonLiteral;
}

export const MAX_CONDITION_LENGTH = 1000;

/** 406 naming the condition, the 1-based position and what to write instead. */
export class JsonPathError extends BrokerError {
  constructor(source: string, position: number, problem: string) {
    super('PRECONDITION_FAILED', `JSON path condition '${source}' at position ${position}: ${problem}`);
  }
}

const NAME = /[A-Za-z0-9_-]/;
const OPERATORS: readonly JsonOperator[] = ['==', '!=', '<=', '>=', '<', '>'];

export function parseJsonCondition(source: string): JsonCondition {
  if (source.length > MAX_CONDITION_LENGTH) {
    throw new JsonPathError(source.slice(0, 40) + '…', 1, `it is ${source.length} characters long; at most ${MAX_CONDITION_LENGTH} are accepted`);
  }
  let i = 0;
  const fail = (problem: string, at = i): never => {
    throw new JsonPathError(source, at + 1, problem);
  };
  const skipSpaces = () => {
    while (i < source.length && source[i] === ' ') i++;
  };
  const quoted = (): string => {
    const quote = source[i];
    const start = i++;
    let text = '';
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') {
        i++;
        if (i >= source.length) break;
        const escaped = source[i];
        text += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
      } else text += source[i];
      i++;
    }
    if (i >= source.length) fail(`the string opened here is not closed; add ${quote}`, start);
    i++;
    return text;
  };

  skipSpaces();
  if (source[i] !== '$') fail("a path starts with '$', e.g. $.order.id == 42");
  i++;
  const path: (string | number)[] = [];
  for (;;) {
    if (source[i] === '.') {
      i++;
      const start = i;
      while (i < source.length && NAME.test(source[i]!)) i++;
      if (i === start) fail("a property name must follow '.' (letters, digits, _ or -; write $['a b'] for other names)");
      path.push(source.slice(start, i));
    } else if (source[i] === '[') {
      const open = i++;
      if (source[i] === '"' || source[i] === "'") path.push(quoted());
      else {
        const start = i;
        while (i < source.length && source[i]! >= '0' && source[i]! <= '9') i++;
        if (i === start) fail("write an index (e.g. [0]) or a quoted name (e.g. ['a b']) between '[' and ']'");
        path.push(Number(source.slice(start, i)));
      }
      if (source[i] !== ']') fail(`the '[' at position ${open + 1} is not closed; add ']'`);
      i++;
    } else break;
  }
  skipSpaces();
  if (i >= source.length) return { source, path, operator: null, value: null };
  const operator = OPERATORS.find((op) => source.startsWith(op, i));
  if (operator === undefined) {
    fail(source[i] === '=' ? "write '==' to compare (a single '=' is not an operator)" : "expected '.', '[' or an operator (==, !=, <, <=, >, >=)");
  }
  i += operator!.length;
  skipSpaces();
  let value: JsonLiteral;
  if (source[i] === '"' || source[i] === "'") value = quoted();
  else {
    const start = i;
    while (i < source.length && source[i] !== ' ') i++;
    const word = source.slice(start, i);
    if (word === '') fail('a value must follow the operator: a number, a quoted string, true, false or null');
    if (word === 'true' || word === 'false') value = word === 'true';
    else if (word === 'null') value = null;
    else if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(word)) value = Number(word);
    else value = fail(`'${word}' is not a value: quote text ("${word}"), or give a number, true, false or null`, start);
  }
  skipSpaces();
  if (i < source.length) fail('unexpected text after the value');
  return { source, path, operator: operator!, value };
}

/** The value at `path` in a parsed JSON document, or undefined when there is none. */
function valueAt(document: unknown, path: readonly (string | number)[]): unknown {
  let value = document;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(value)) return undefined;
      value = value[step];
    } else {
      if (Array.isArray(value) || !Object.hasOwn(value, step)) return undefined;
      value = (value as Record<string, unknown>)[step];
    }
  }
  return value;
}

export function conditionHolds(condition: JsonCondition, document: unknown): boolean {
  const found = valueAt(document, condition.path);
  const wanted = condition.value;
  switch (condition.operator) {
    case null:
      return found !== undefined && found !== null;
    case '==':
      return found === wanted;
    case '!=':
      return found !== undefined && found !== wanted;
  }
  if (typeof found !== typeof wanted || (typeof found !== 'number' && typeof found !== 'string')) return false;
  const a = found as number | string;
  const b = wanted as number | string;
  switch (condition.operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}
