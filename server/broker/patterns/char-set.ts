// Sets of UTF-16 code units, as JavaScript's RegExp without the `u` flag sees
// a string: a name is matched code unit by code unit (a character outside the
// BMP is two units, as in `'😀'.length === 2`). Names are at most 255 bytes,
// so working on code units costs nothing and keeps `[...]` simple.
//
// A set is a list of inclusive ranges, sorted and merged, plus `negated` for
// `[^...]`. The negation is kept apart rather than folded into the ranges
// because, ignoring case, JavaScript negates after folding: /[^a]/i refuses 'A'.

export interface CharSet {
  /** Flat [lo0, hi0, lo1, hi1, ...], sorted, non-overlapping, non-adjacent. */
  readonly ranges: readonly number[];
  readonly negated: boolean;
}

const MAX_UNIT = 0xffff;

/** Sorts and merges [lo, hi] pairs. */
export function normalise(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  // Flat pairs: i + 1 is in range whenever i is.
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = merged.at(-1);
    if (last !== undefined && lo <= last + 1) merged[merged.length - 1] = Math.max(last, hi);
    else merged.push(lo, hi);
  }
  return merged;
}

/** Every code unit not in the (normalised) ranges. */
export function complement(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let from = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i]!; // flat pairs: i + 1 is in range whenever i is
    if (lo > from) out.push(from, lo - 1);
    from = ranges[i + 1]! + 1;
  }
  if (from <= MAX_UNIT) out.push(from, MAX_UNIT);
  return out;
}

export const DIGIT: readonly number[] = [0x30, 0x39];
export const WORD: readonly number[] = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
/** JavaScript's \s: WhiteSpace and LineTerminator of ECMA-262. */
export const SPACE: readonly number[] = normalise([
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
]);
/** `.` without the `s` flag: anything but a line terminator. */
export const DOT: readonly number[] = complement([0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029]);

export function inRanges(ranges: readonly number[], unit: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (unit < ranges[i]!) return false; // flat pairs: i + 1 is in range whenever i is
    if (unit <= ranges[i + 1]!) return true;
  }
  return false;
}

export function isWordUnit(unit: number): boolean {
  return inRanges(WORD, unit);
}

/** Whether `unit` is in the set; `equivalents` are the units it equals ignoring case (itself included). */
export function setMatches(set: CharSet, equivalents: readonly number[]): boolean {
  let found = false;
  for (const unit of equivalents) if (inRanges(set.ranges, unit)) found = true;
  return found !== set.negated;
}

// Ignoring case as ECMA-262's Canonicalize does without the `u` flag: two units
// are equal when their one-unit upper cases are, except that nothing outside
// ASCII folds into ASCII (so 'ſ' is not 's'). Built on first use only.
let caseClasses: { canonical: Uint16Array; members: Map<number, number[]> } | null = null;

function canonicalise(unit: number): number {
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const folded = upper.charCodeAt(0);
  return unit >= 128 && folded < 128 ? unit : folded;
}

/** The units equal to `unit` ignoring case, `unit` included. */
export function caseEquivalents(unit: number): readonly number[] {
  caseClasses ??= buildCaseClasses();
  return caseClasses.members.get(caseClasses.canonical[unit]!) ?? [unit]; // a code unit: in the table
}

function buildCaseClasses(): { canonical: Uint16Array; members: Map<number, number[]> } {
  const canonical = new Uint16Array(MAX_UNIT + 1);
  for (let u = 0; u <= MAX_UNIT; u++) canonical[u] = canonicalise(u);
  // Only classes of two or more units are kept: a unit folded onto another shares that one's class.
  const members = new Map<number, number[]>();
  canonical.forEach((c, u) => {
    if (c !== u) members.set(c, []);
  });
  canonical.forEach((c, u) => members.get(c)?.push(u));
  return { canonical, members };
}
