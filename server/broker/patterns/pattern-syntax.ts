// The regular-expression syntax Warren accepts from users (policy patterns,
// permission patterns, the console's name filter), parsed into a tree.
//
// Accepted: literals; `.`; escapes \d \w \s \D \W \S, \t \n \r \f \v \0,
// \xHH, \uHHHH and any escaped non-alphanumeric character (\. \\ \* \- ...);
// classes [a-z0-9_.-] with ranges, escapes and negation [^...]; anchors ^ $
// and word boundaries \b \B; groups ( ) and (?: ) (nothing is captured);
// alternation |; quantifiers * + ? {n} {n,} {n,m}, lazy forms (*? ...) read
// as greedy since only "matches or not" is asked.
//
// Refused, with the position (counted from 1) of what is refused: everything
// that needs backtracking (backreferences, lookarounds, atomic groups,
// possessive quantifiers) and forms whose meaning differs between JavaScript
// and PCRE/RabbitMQ (a bare '{', [] and [^], POSIX classes, octal escapes,
// inline flags, \A \z \Z, unknown letter escapes). Meanings are JavaScript's
// (RegExp without flags), which differ from PCRE's only at the edges: $ matches
// at the very end only (PCRE also before a final newline), . refuses \r, \u2028
// and \u2029 as well as \n, and \s includes Unicode spaces such as \u00a0.
//
// Every node knows its size in matcher instructions, so a pattern such as
// (?:a{1000}){1000} is refused here, at its quantifier, before anything is built.

import { complement, DIGIT, DOT, normalise, SPACE, WORD, type CharSet } from './char-set';

export type Assertion = 'start' | 'end' | 'word-boundary' | 'not-word-boundary';

export type PatternNode =
  | { readonly kind: 'chars'; readonly set: CharSet; readonly size: number }
  | { readonly kind: 'assert'; readonly assertion: Assertion; readonly size: number }
  | { readonly kind: 'sequence'; readonly items: readonly PatternNode[]; readonly size: number }
  | { readonly kind: 'choice'; readonly options: readonly PatternNode[]; readonly size: number }
  /** `max` is Infinity for * + {n,}. */
  | { readonly kind: 'repeat'; readonly item: PatternNode; readonly min: number; readonly max: number; readonly size: number };

/** Highest n in {n}, {n,} and {n,m}. */
export const MAX_REPEAT = 1000;
/**
 * Most instructions a pattern may compile to. A test costs up to this many
 * steps per character of the name (about 15 ns each), so this bounds one test
 * of a 255-character name to a few milliseconds. Names are at most 255
 * characters: ^[a-z0-9_.-]{1,255}$ is about 510.
 */
export const MAX_PROGRAM_SIZE = 2_000;

export class PatternSyntaxError extends Error {
  /** `position` counts from 1 and points at the start of what is refused. */
  constructor(
    readonly position: number,
    readonly problem: string,
  ) {
    super(`at position ${position}: ${problem}`);
    this.name = 'PatternSyntaxError';
  }
}

export function parsePattern(pattern: string): PatternNode {
  return new Parser(pattern).parse();
}

/** Instructions a repetition compiles to: the required copies, then a loop or the optional copies. */
function repeatSize(itemSize: number, min: number, max: number): number {
  return min * itemSize + (max === Infinity ? itemSize + 2 : (max - min) * (itemSize + 1));
}

const chars = (ranges: readonly number[], negated = false): PatternNode => ({ kind: 'chars', set: { ranges, negated }, size: 1 });
const unit = (code: number) => chars([code, code]);

const CLASS_ESCAPES: Record<string, readonly number[]> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
};
const CONTROL_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, v: 0x0b, f: 0x0c, r: 0x0d };
const REFUSED_ESCAPES: Record<string, string> = {
  A: "'\\A' is not supported; use ^",
  z: "'\\z' is not supported; use $",
  Z: "'\\Z' is not supported; use $",
  G: "'\\G' is not supported",
  k: 'backreferences are not supported',
  p: 'Unicode property escapes (\\p{...}) are not supported',
  P: 'Unicode property escapes (\\P{...}) are not supported',
  c: 'control escapes (\\cX) are not supported; use \\xHH',
  Q: 'quoting with \\Q...\\E is not supported; escape each character with \\',
};

/** A class member: one code unit, or a class escape such as \d (which cannot end a range). */
type ClassAtom = { unit: number } | { ranges: readonly number[] };

class Parser {
  private at = 0;

  constructor(private readonly source: string) {}

  parse(): PatternNode {
    const node = this.choice();
    if (this.at < this.source.length) throw this.refuse(this.at, "')' closes no group; to match ')' write '\\)'");
    return node;
  }

  private refuse(index: number, problem: string): PatternSyntaxError {
    return new PatternSyntaxError(index + 1, problem);
  }

  private peek(offset = 0): string | undefined {
    return this.source[this.at + offset];
  }

  private tooLarge(index: number, size: number, what: string): PatternSyntaxError {
    return this.refuse(
      index,
      `${what} makes the pattern too large to match (${size.toLocaleString('en')} steps, at most ${MAX_PROGRAM_SIZE.toLocaleString('en')})`,
    );
  }

  private choice(): PatternNode {
    const start = this.at;
    const first = this.sequence();
    const options = [first];
    while (this.peek() === '|') {
      this.at++;
      options.push(this.sequence());
    }
    if (options.length === 1) return first;
    const size = options.reduce((sum, o) => sum + o.size, 0) + 2 * (options.length - 1);
    if (size > MAX_PROGRAM_SIZE) throw this.tooLarge(start, size, 'this alternation');
    return { kind: 'choice', options, size };
  }

  private sequence(): PatternNode {
    const items: PatternNode[] = [];
    let size = 0;
    while (this.at < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const start = this.at;
      const item = this.quantified();
      size += item.size;
      if (size > MAX_PROGRAM_SIZE) throw this.tooLarge(start, size, 'this part');
      items.push(item);
    }
    return items.length === 1 ? items[0]! : { kind: 'sequence', items, size };
  }

  private quantified(): PatternNode {
    const c = this.peek();
    const isAssertion = c === '^' || c === '$' || (c === '\\' && (this.peek(1) === 'b' || this.peek(1) === 'B'));
    const item = this.atom();
    const at = this.at;
    const bounds = this.quantifier();
    if (bounds === null) return item;
    if (isAssertion) throw this.refuse(at, `'${this.source.slice(at, this.at)}' has nothing to repeat: an anchor matches no character`);
    if (this.peek() === '?') this.at++;
    else if (this.peek() === '+') throw this.refuse(this.at, 'possessive quantifiers (such as a*+) are not supported');
    const next = this.at;
    if (this.quantifier() !== null) {
      throw this.refuse(next, 'a quantifier cannot follow another one; group the repeated part first, e.g. (?:a{2})*');
    }
    const size = repeatSize(item.size, bounds.min, bounds.max);
    if (size > MAX_PROGRAM_SIZE) throw this.tooLarge(at, size, `the repetition '${this.source.slice(at, next)}'`);
    return { kind: 'repeat', item, min: bounds.min, max: bounds.max, size };
  }

  /** Reads * + ? {n} {n,} {n,m} at the cursor, or nothing (null). */
  private quantifier(): { min: number; max: number } | null {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.at++;
      return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
    }
    if (c !== '{') return null;
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
    if (braces === null) throw this.refuse(this.at, "'{' must start a repetition such as {3}, {2,} or {2,5}; to match '{' write '\\{'");
    const min = Number(braces[1]);
    const max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      throw this.refuse(this.at, `repetition counts above ${MAX_REPEAT} are not supported`);
    }
    if (min > max) throw this.refuse(this.at, `the repetition '${braces[0]}' has its numbers out of order`);
    this.at += braces[0].length;
    return { min, max };
  }

  private atom(): PatternNode {
    const start = this.at;
    const c = this.source[this.at++];
    switch (c) {
      case '(':
        return this.group(start);
      case '[':
        return this.characterClass(start);
      case '.':
        return chars(DOT);
      case '^':
        return { kind: 'assert', assertion: 'start', size: 1 };
      case '$':
        return { kind: 'assert', assertion: 'end', size: 1 };
      case '\\':
        return this.escape(start);
      case '*':
      case '+':
      case '?':
        throw this.refuse(start, `'${c}' has nothing to repeat; to match '${c}' write '\\${c}'`);
      case '{':
        this.at = start;
        this.quantifier();
        throw this.refuse(start, `'${this.source.slice(start, this.at)}' has nothing to repeat; to match '{' write '\\{'`);
      default:
        return unit(this.source.charCodeAt(start));
    }
  }

  private group(start: number): PatternNode {
    if (this.peek() === '?') {
      const kind = this.peek(1);
      const kind2 = this.peek(2);
      if (kind === ':') this.at += 2;
      else if (kind === '=' || kind === '!') throw this.refuse(start, `lookahead assertions (?${kind} are not supported`);
      else if (kind === '<' && (kind2 === '=' || kind2 === '!')) throw this.refuse(start, `lookbehind assertions (?<${kind2} are not supported`);
      else if (kind === '<' || kind === 'P' || kind === "'") throw this.refuse(start, 'named groups are not supported; use (?: ) or ( )');
      else if (kind === '>') throw this.refuse(start, 'atomic groups (?> are not supported');
      else if (kind === '#') throw this.refuse(start, 'comments (?# are not supported');
      else if (kind !== undefined && /[a-zA-Z^-]/.test(kind)) throw this.refuse(start, 'inline flags such as (?i) are not supported');
      else throw this.refuse(start, `'(?${kind ?? ''}' is not a supported group; use ( ) or (?: )`);
    }
    const body = this.choice();
    if (this.peek() !== ')') throw this.refuse(start, "the group opened here is not closed; add ')' (to match '(' write '\\(')");
    this.at++;
    return body;
  }

  private characterClass(start: number): PatternNode {
    const negated = this.peek() === '^';
    if (negated) this.at++;
    if (this.peek() === ']') {
      throw this.refuse(
        start,
        negated ? "'[^]' is not supported; use [\\s\\S] for any character" : "an empty class '[]' is not supported; to match ']' write '\\]'",
      );
    }
    const ranges: number[] = [];
    for (;;) {
      if (this.at >= this.source.length) throw this.refuse(start, "the class opened here is not closed; add ']' (to match '[' write '\\[')");
      if (this.peek() === ']') break;
      if (this.peek() === '[' && /[:.=]/.test(this.peek(1) ?? '')) {
        throw this.refuse(this.at, 'POSIX classes such as [:alpha:] are not supported; use ranges such as a-zA-Z');
      }
      const from = this.at;
      const low = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        const dash = this.at++;
        const high = this.classAtom();
        if (!('unit' in low) || !('unit' in high)) {
          throw this.refuse(dash, "a range cannot start or end with a class such as \\d, \\w or \\s; to match '-' write '\\-'");
        }
        if (low.unit > high.unit) throw this.refuse(from, `the range '${this.source.slice(from, this.at)}' is out of order`);
        ranges.push(low.unit, high.unit);
      } else if ('unit' in low) ranges.push(low.unit, low.unit);
      else ranges.push(...low.ranges);
    }
    this.at++;
    return chars(normalise(ranges), negated);
  }

  private classAtom(): ClassAtom {
    const start = this.at;
    const c = this.source[this.at++];
    if (c !== '\\') return { unit: this.source.charCodeAt(start) };
    const letter = this.peek();
    if (letter === 'b') {
      this.at++;
      return { unit: 0x08 };
    }
    if (letter === 'B') throw this.refuse(start, "'\\B' cannot be used inside [ ]");
    const node = this.escape(start);
    if (node.kind !== 'chars') throw new Error('unreachable: only \\b and \\B are assertions');
    const r = node.set.ranges;
    return r.length === 2 && r[0] === r[1] ? { unit: r[0]! } : { ranges: r };
  }

  /** After a backslash at `start`: a character, a class escape or a word boundary. */
  private escape(start: number): PatternNode {
    const c = this.source[this.at++];
    if (c === undefined) throw this.refuse(start, "the pattern ends with '\\'; to match '\\' write '\\\\'");
    const classEscape = CLASS_ESCAPES[c];
    if (classEscape !== undefined) return chars(classEscape);
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return unit(control);
    if (c === 'b') return { kind: 'assert', assertion: 'word-boundary', size: 1 };
    if (c === 'B') return { kind: 'assert', assertion: 'not-word-boundary', size: 1 };
    if (c === '0') {
      if (/[0-9]/.test(this.peek() ?? '')) throw this.refuse(start, 'octal escapes are not supported; use \\xHH');
      return unit(0);
    }
    if (/[1-9]/.test(c)) throw this.refuse(start, 'backreferences are not supported');
    if (c === 'x' || c === 'u') {
      const digits = c === 'x' ? 2 : 4;
      const hex = this.source.slice(this.at, this.at + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw this.refuse(start, c === 'x' ? "'\\x' needs two hex digits, e.g. \\x41" : "'\\u' needs four hex digits, e.g. \\u00e9");
      }
      this.at += digits;
      return unit(parseInt(hex, 16));
    }
    const refused = REFUSED_ESCAPES[c];
    if (refused !== undefined) throw this.refuse(start, refused);
    if (/[a-zA-Z0-9]/.test(c)) throw this.refuse(start, `'\\${c}' is not a supported escape`);
    return unit(c.charCodeAt(0));
  }
}
