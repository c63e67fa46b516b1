import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../amqp/codec/seeded-random';
import type { BrokerError } from '../errors';
import { MAX_PROGRAM_SIZE, MAX_REPEAT } from './pattern-syntax';
import { compileUserPattern, MAX_PATTERN_LENGTH, type UserPattern, UserPatternError } from './user-pattern';

/** Asserts the same answer as JavaScript's RegExp for every name. */
function expectSameAsRegExp(pattern: string, names: readonly string[], ignoreCase = false): void {
  const ours = compileUserPattern(pattern, 'test pattern', { ignoreCase });
  const theirs = new RegExp(pattern, ignoreCase ? 'i' : '');
  for (const name of names) {
    if (ours.test(name) !== theirs.test(name)) {
      throw new Error(
        `/${pattern}/${ignoreCase ? 'i' : ''} on ${JSON.stringify(name)}: RegExp says ${theirs.test(name)}, compileUserPattern says ${ours.test(name)}`,
      );
    }
  }
}

function refusal(pattern: string, what = 'queue filter'): string {
  try {
    compileUserPattern(pattern, what);
  } catch (error) {
    expect(error).toBeInstanceOf(UserPatternError);
    expect((error as BrokerError).replyCode).toBe(406);
    return (error as BrokerError).message;
  }
  throw new Error(`'${pattern}' was accepted`);
}

const NAMES = [
  '',
  'orders',
  'orders.eu',
  'orders.eu.dlq',
  'xorders.',
  'ORDERS.EU',
  'amq.gen-JzTY20BRgKO-HjmUJj0wLg',
  'tenant-42.work',
  'work_1',
  'a b',
  'line\nbreak',
  'tab\there',
  'café',
  'Straße',
  '中文.队列',
  '😀.emoji',
  '.',
  '...',
  'a-b_c.d',
  'k8s',
];

describe('compileUserPattern matches as RegExp does', () => {
  it.each([
    ['^orders\\.'],
    ['orders'],
    ['\\.dlq$'],
    ['^orders\\.(eu|us)$'],
    ['^(?:orders|tenant-\\d+)\\.'],
    ['^amq\\.gen-[A-Za-z0-9_-]{22}$'],
    ['.*'],
    ['^$'],
    [''],
    ['^[^.]+$'],
    ['[a-z0-9_.-]+'],
    ['^[a-z]+\\.[a-z]+$'],
    ['\\d'],
    ['\\D+$'],
    ['\\w+'],
    ['^\\W'],
    ['\\s'],
    ['^\\S+$'],
    ['\\bwork\\b'],
    ['\\Bork'],
    ['^.{4,8}$'],
    ['^.{6}$'],
    ['^.{3,}$'],
    ['o?r+d*e'],
    ['^(a|b|c)*$'],
    ['^(ab|a)(bc|c)?$'],
    ['(?:)|x'],
    ['a|'],
    ['é|ß'],
    ['\\x2e'],
    ['\\u00e9'],
    ['[\\x00-\\x2f]'],
    ['^[\\d.]+$'],
    ['[\\]\\\\]'],
    ['[-a]'],
    ['[a-]'],
    ['[\\w-]+\\.'],
    ['\\$|\\^|\\*|\\+|\\?|\\(|\\)|\\[|\\{|\\||\\/'],
    ['\\t|\\n'],
    ['.+\\n?'],
    ['^.*?s$'],
    ['^(?:a+?)+$'],
    ['^[😀]'],
    ['\\uD83D'],
    ['}|]'],
  ])('%s', (pattern) => {
    expectSameAsRegExp(pattern, NAMES);
  });

  it('ignoring case, as the i flag does (including [^...] and letters outside ASCII)', () => {
    for (const pattern of ['^ORDERS\\.', '[^a-z]', '^[A-Z]+$', 'straße', 'CAFÉ', '[k]8S', '\\w', 'ſ', '[^o]rders']) {
      expectSameAsRegExp(pattern, [...NAMES, 'ſ', 'K', 'KELVIN', 'ẞ', 'É'], true);
    }
  });

  it('agrees with RegExp on 3,000 random patterns from the supported syntax and random names (seeded)', () => {
    for (const seed of [1, 2, 3]) {
      const random = new SeededRandom(seed);
      for (let i = 0; i < 1000; i++) {
        const pattern = randomPattern(random, 3);
        const names = Array.from({ length: 25 }, () => randomName(random));
        try {
          expectSameAsRegExp(pattern, names, i % 5 === 0);
        } catch (error) {
          throw new Error(`seed ${seed}, pattern #${i}: ${(error as Error).message}`);
        }
      }
    }
  });

  it('accepts only what RegExp accepts, and then agrees with it, on 5,000 random strings of metacharacters (seeded)', () => {
    const random = new SeededRandom(11);
    const alphabet = [
      'a',
      'b',
      '.',
      '-',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '|',
      '*',
      '+',
      '?',
      '^',
      '$',
      '\\',
      ',',
      '1',
      '3',
      ':',
      'd',
      'w',
      'b',
      'x',
      '=',
      '!',
      '<',
    ];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const pattern = Array.from({ length: random.int(1, 10) }, () => random.pick(alphabet)).join('');
      let ours: UserPattern;
      try {
        ours = compileUserPattern(pattern, 'fuzz');
      } catch (error) {
        if (!(error instanceof UserPatternError)) throw new Error(`'${pattern}' threw ${String(error)}`);
        continue;
      }
      accepted++;
      expect(() => new RegExp(pattern), `'${pattern}' is accepted here but not by RegExp`).not.toThrow();
      expect(ours.source).toBe(pattern);
      expectSameAsRegExp(
        pattern,
        Array.from({ length: 10 }, () => randomName(random)),
      );
    }
    // The fuzz says something only if a fair share of the strings were accepted.
    expect(accepted).toBeGreaterThan(500);
  });

  it('keeps agreeing when a pattern has more states than its cache holds', () => {
    // [ab]*a[ab]{14} needs 2^15 DFA states: on these names the cache fills and is dropped three times.
    const random = new SeededRandom(5);
    const names = Array.from({ length: 400 }, () => Array.from({ length: 255 }, () => random.pick(['a', 'b'])).join('') + 'c'.repeat(random.int(0, 13)));
    expectSameAsRegExp('[ab]*a[ab]{14}c', names);
    expectSameAsRegExp('^[ab]*a[ab]{14}$', names);
  });
});

describe('compileUserPattern answers in linear time', () => {
  it("answers ^(a+)+$ against 'a' × 5,000 + '!' (a backtracking engine would not return)", () => {
    const name = 'a'.repeat(5000) + '!';
    expect(compileUserPattern('^(a+)+$', 'policy pattern').test(name)).toBe(false);
    expect(compileUserPattern('^(a+)+$', 'policy pattern').test('a'.repeat(5000))).toBe(true);
    expect(compileUserPattern('(a|aa)+$', 'policy pattern').test(name)).toBe(false);
    expect(compileUserPattern('^(\\w+\\s?)*$', 'policy pattern').test('a'.repeat(5000) + ' !')).toBe(false);
    expect(compileUserPattern('(.*a){20}', 'policy pattern').test(name.slice(0, 19 * 2))).toBe(true);
    expect(compileUserPattern('(.*a){20}', 'policy pattern').test('a'.repeat(19) + 'b'.repeat(5000))).toBe(false);
  });
});

describe('compileUserPattern refuses, saying what and where', () => {
  it.each([
    ['^(a)\\1$', 5, 'backreferences are not supported'],
    ['(a)\\k<x>', 4, 'backreferences are not supported'],
    ['a(?=b)', 2, 'lookahead assertions (?= are not supported'],
    ['a(?!b)', 2, 'lookahead assertions (?! are not supported'],
    ['(?<=a)b', 1, 'lookbehind assertions (?<= are not supported'],
    ['(?<!a)b', 1, 'lookbehind assertions (?<! are not supported'],
    ['(?<name>a)', 1, 'named groups are not supported'],
    ['(?P<name>a)', 1, 'named groups are not supported'],
    ['(?>a+)b', 1, 'atomic groups (?> are not supported'],
    ['(?i)orders', 1, 'inline flags such as (?i) are not supported'],
    ['(?#note)a', 1, 'comments (?# are not supported'],
    ['(?|a)', 1, "'(?|' is not a supported group"],
    ['a*+', 3, 'possessive quantifiers (such as a*+) are not supported'],
    ['a{2}+', 5, 'possessive quantifiers'],
    ['a**', 3, 'a quantifier cannot follow another one'],
    ['a{2}{3}', 5, 'a quantifier cannot follow another one'],
    ['*a', 1, "'*' has nothing to repeat; to match '*' write '\\*'"],
    ['a|+', 3, "'+' has nothing to repeat"],
    ['{2}', 1, "'{2}' has nothing to repeat"],
    ['^*', 2, "'*' has nothing to repeat: an anchor matches no character"],
    ['a\\b?', 4, "'?' has nothing to repeat: an anchor"],
    ['a{', 2, "'{' must start a repetition such as {3}, {2,} or {2,5}; to match '{' write '\\{'"],
    ['a{,3}', 2, "'{' must start a repetition"],
    ['a{1,2', 2, "'{' must start a repetition"],
    ['a{5,2}', 2, "the repetition '{5,2}' has its numbers out of order"],
    [`a{${MAX_REPEAT + 1}}`, 2, `repetition counts above ${MAX_REPEAT} are not supported`],
    ['a{1,99999999999999999999}', 2, 'repetition counts above'],
    ['(?:a{1000}){1000}', 12, "the repetition '{1000}' makes the pattern too large to match (1,000,000 steps, at most 2,000)"],
    ['(a', 1, "the group opened here is not closed; add ')'"],
    ['a)', 2, "')' closes no group; to match ')' write '\\)'"],
    ['x[a-', 2, "the class opened here is not closed; add ']'"],
    ['[]a]', 1, "an empty class '[]' is not supported; to match ']' write '\\]'"],
    ['[^]', 1, "'[^]' is not supported; use [\\s\\S]"],
    ['[[:alpha:]]', 2, 'POSIX classes such as [:alpha:] are not supported'],
    ['[z-a]', 2, "the range 'z-a' is out of order"],
    ['[\\d-z]', 4, 'a range cannot start or end with a class such as \\d'],
    ['[a-\\w]', 3, 'a range cannot start or end with a class'],
    ['[\\B]', 2, "'\\B' cannot be used inside [ ]"],
    ['abc\\', 4, "the pattern ends with '\\'; to match '\\' write '\\\\'"],
    ['\\012', 1, 'octal escapes are not supported; use \\xHH'],
    ['[\\1]', 2, 'backreferences are not supported'],
    ['\\x4', 1, "'\\x' needs two hex digits"],
    ['\\u{1F600}', 1, "'\\u' needs four hex digits"],
    ['\\Aorders', 1, "'\\A' is not supported; use ^"],
    ['orders\\z', 7, "'\\z' is not supported; use $"],
    ['\\p{L}', 1, 'Unicode property escapes'],
    ['\\cA', 1, 'control escapes'],
    ['\\Qa.b\\E', 1, 'quoting with \\Q...\\E is not supported'],
    ['\\e', 1, "'\\e' is not a supported escape"],
  ])('%s at position %i', (pattern, position, problem) => {
    const expected = `PRECONDITION_FAILED - queue filter '${pattern}' at position ${position}: ${problem}`;
    expect(refusal(pattern).slice(0, expected.length)).toBe(expected);
  });

  it('names what the pattern is for', () => {
    expect(refusal('(', 'policy pattern')).toMatch(/^PRECONDITION_FAILED - policy pattern '\(' at position 1: /);
  });

  it(`refuses patterns over ${MAX_PATTERN_LENGTH} characters and programs over ${MAX_PROGRAM_SIZE} steps`, () => {
    expect(refusal('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(
      `PRECONDITION_FAILED - queue filter is ${(MAX_PATTERN_LENGTH + 1).toLocaleString('en')} characters long; at most ${MAX_PATTERN_LENGTH.toLocaleString('en')} are accepted`,
    );
    expect(compileUserPattern('a'.repeat(MAX_PATTERN_LENGTH), 'queue filter').test('a'.repeat(MAX_PATTERN_LENGTH))).toBe(true);
    // Each part alone fits; together they do not, and the part that tips it over is named.
    const part = '(?:.{0,199}x){2}';
    expect(refusal(`${part}${part}${part}`)).toContain(`at position ${2 * part.length + 1}: this part makes the pattern too large to match`);
    expect(refusal(`${part}|${part}|${part}`)).toContain('at position 1: this alternation makes the pattern too large to match');
  });
});

// --- Random patterns from the supported syntax ------------------------------

const LITERALS = ['a', 'b', 'c', 'A', 'é', '-', '_', ' ', '1', '\\.', '\\-', '\\\\', '\\*', '\\x61', '\\u00e9'];
// A literal '-' only comes first, so that items never run into an unintended range.
const CLASS_ITEMS = ['a', 'b', 'c', 'a-c', 'A-Z', '0-9', '\\d', '\\w', '\\s', '.', '_', '\\]', '\\-', 'é', '\\n'];
const ESCAPES = ['\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '.'];
const ANCHORS = ['^', '$', '\\b', '\\B'];
const NAME_UNITS = ['a', 'b', 'c', 'A', 'B', 'é', 'É', '-', '_', '.', ' ', '1', '9', '\n', '\\', '*', 'ſ', 'K', '😀'];

function randomName(random: SeededRandom): string {
  return Array.from({ length: random.int(0, 12) }, () => random.pick(NAME_UNITS)).join('');
}

function randomPattern(random: SeededRandom, depth: number): string {
  const options = Array.from({ length: random.next() < 0.8 ? 1 : random.int(2, 3) }, () => randomSequence(random, depth));
  return options.join('|');
}

function randomSequence(random: SeededRandom, depth: number): string {
  let out = '';
  for (let n = random.int(0, 4); n > 0; n--) {
    const roll = random.next();
    if (roll < 0.1) {
      out += random.pick(ANCHORS);
      continue;
    }
    let atom: string;
    if (roll < 0.45) atom = random.pick(LITERALS);
    else if (roll < 0.6) atom = random.pick(ESCAPES);
    else if (roll < 0.8) {
      const items = Array.from({ length: random.int(1, 3) }, () => random.pick(CLASS_ITEMS)).join('');
      atom = `[${random.bool() ? '^' : ''}${random.next() < 0.2 ? '-' : ''}${items}]`;
    } else if (depth > 0) atom = `(${random.bool() ? '?:' : ''}${randomPattern(random, depth - 1)})`;
    else atom = random.pick(LITERALS);
    out += atom + randomQuantifier(random);
  }
  return out;
}

function randomQuantifier(random: SeededRandom): string {
  const roll = random.next();
  if (roll < 0.5) return '';
  const lazy = random.next() < 0.2 ? '?' : '';
  const min = random.int(0, 2);
  const base = random.pick(['*', '+', '?', `{${min}}`, `{${min},}`, `{${min},${min + random.int(0, 2)}}`]);
  return base + lazy;
}
