// Runs a program over a name without backtracking: the set of instructions
// the NFA can be in is stepped once per code unit (Thompson's simulation), so
// a test costs O(program size × name length) whatever the pattern, and
// ^(a+)+$ against 'aaaa…!' is as cheap as anything else.
//
// A search is unanchored, as RegExp.prototype.test: before each code unit
// (and at the end) a new thread starts at instruction 0, and the first time
// any thread reaches `match` the answer is true.
//
// Steps are remembered (a lazily built DFA): a state is the set of threads
// waiting to consume a unit, plus what the assertions need to know about the
// position (at the start? after a word character?), and its transition on a
// unit is computed once. Testing thousands of queue names against a policy
// then costs a map lookup per unit. The cache is bounded; a pattern that keeps
// filling it (one with exponentially many states, such as [ab]*a[ab]{20}) stops
// using it and has every step computed, which stays linear.

import { caseEquivalents, isWordUnit, setMatches } from './char-set';
import type { Instruction } from './program';
import type { Assertion } from './pattern-syntax';

/** Cached instruction numbers plus transitions held before the cache is dropped. */
const MAX_CACHE_ENTRIES = 50_000;
/** Drops after which the cache is given up for good. */
const MAX_CACHE_DROPS = 2;

interface State {
  /** Where the threads waiting for the next unit go on (distinct; sorted when the state is cached). */
  readonly threads: readonly number[];
  readonly atStart: boolean;
  readonly afterWord: boolean;
  /** No thread left and none can start any more: the answer is false. */
  readonly dead: boolean;
  readonly next: Map<number, State | typeof MATCHED>;
  matchesAtEnd?: boolean;
}

const MATCHED = 'matched';
/** The transitions of every state made once the cache is given up: always empty. */
const UNCACHED = new Map<number, State | typeof MATCHED>();

/** Where a closure is taken: what the assertions see. `next` is -1 at the end of the name. */
interface Position {
  atStart: boolean;
  afterWord: boolean;
  next: number;
}

function holds(assertion: Assertion, at: Position): boolean {
  switch (assertion) {
    case 'start':
      return at.atStart;
    case 'end':
      return at.next < 0;
    case 'word-boundary':
      return at.afterWord !== (at.next >= 0 && isWordUnit(at.next));
    case 'not-word-boundary':
      return at.afterWord === (at.next >= 0 && isWordUnit(at.next));
  }
}

export interface MatchInProgress {
  /** Consumes at most `units` more code units: true or false once decided, undefined while undecided. */
  run(units: number): boolean | undefined;
}

export class Matcher {
  private readonly states = new Map<string, State>();
  private cacheEntries = 0;
  private cacheDrops = 0;
  private initial: State;
  /** Whether a thread started after the first unit can get anywhere (false for ^orders\.). */
  private readonly canStartLater: boolean;
  private readonly usesWordBoundaries: boolean;
  // Per-closure scratch: instruction numbers seen in the current generation, and a stack.
  private readonly seen: Uint32Array;
  private generation = 0;
  private readonly stack: number[] = [];

  constructor(
    private readonly program: readonly Instruction[],
    private readonly ignoreCase: boolean,
  ) {
    this.seen = new Uint32Array(program.length);
    this.usesWordBoundaries = program.some((i) => i.op === 'assert' && i.assertion.endsWith('word-boundary'));
    const later: number[] = [];
    this.canStartLater = this.closure([], (a) => a !== 'start', later) || later.length > 0;
    this.initial = this.state([], true, false);
  }

  test(name: string): boolean {
    return this.start(name).run(Infinity) as boolean;
  }

  /**
   * The same test in steps, for long texts: each run(units) consumes at most
   * that many code units and answers true or false once decided, or
   * undefined when more is left (call run again).
   */
  start(name: string): MatchInProgress {
    let state = this.initial;
    let i = 0;
    return {
      run: (units) => {
        const stop = Math.min(name.length, i + units);
        for (; i < stop; i++) {
          const unit = name.charCodeAt(i);
          const next = state.next.get(unit) ?? this.transition(state, unit);
          if (next === MATCHED) return true;
          if (next.dead) return false;
          state = next;
        }
        if (i < name.length) return undefined;
        if (state.matchesAtEnd === undefined) {
          const end = state;
          end.matchesAtEnd = this.closure(end.threads, (a) => holds(a, { atStart: end.atStart, afterWord: end.afterWord, next: -1 }), []);
        }
        return state.matchesAtEnd;
      },
    };
  }

  private get caching(): boolean {
    return this.cacheDrops < MAX_CACHE_DROPS;
  }

  private transition(state: State, unit: number): State | typeof MATCHED {
    const at: Position = { atStart: state.atStart, afterWord: state.afterWord, next: unit };
    const waiting: number[] = [];
    let result: State | typeof MATCHED = MATCHED;
    if (!this.closure(state.threads, (a) => holds(a, at), waiting)) {
      const equivalents = this.ignoreCase ? caseEquivalents(unit) : [unit];
      // Each `chars` instruction is reached once per closure, so these are distinct.
      const threads: number[] = [];
      for (const pc of waiting) {
        const instruction = this.program[pc]!; // waiting holds pcs of this program
        if (instruction.op === 'chars' && setMatches(instruction.set, equivalents)) threads.push(pc + 1);
      }
      result = this.state(threads, false, this.usesWordBoundaries && isWordUnit(unit));
    }
    if (this.caching && this.cacheEntries < MAX_CACHE_ENTRIES) {
      state.next.set(unit, result);
      this.cacheEntries++;
    }
    return result;
  }

  /**
   * Follows every thread from `threads` and from instruction 0 through splits,
   * jumps and assertions that hold, collecting the `chars` instructions reached
   * into `waiting`. True as soon as one reaches `match`.
   */
  private closure(threads: readonly number[], holdsHere: (a: Assertion) => boolean, waiting: number[]): boolean {
    const generation = ++this.generation;
    const stack = this.stack;
    stack.length = 0;
    stack.push(0, ...threads);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (this.seen[pc] === generation) continue;
      this.seen[pc] = generation;
      const instruction = this.program[pc]!; // every pc pushed is 0 or a target the compiler emitted
      switch (instruction.op) {
        case 'chars':
          waiting.push(pc);
          break;
        case 'assert':
          if (holdsHere(instruction.assertion)) stack.push(pc + 1);
          break;
        case 'split':
          stack.push(instruction.second, instruction.first);
          break;
        case 'jump':
          stack.push(instruction.to);
          break;
        case 'match':
          return true;
      }
    }
    return false;
  }

  /** The cached state for these (distinct) threads, or a new one. */
  private state(threads: number[], atStart: boolean, afterWord: boolean): State {
    const dead = threads.length === 0 && !atStart && !this.canStartLater;
    if (!this.caching) return { threads, atStart, afterWord, dead, next: UNCACHED };
    threads.sort((a, b) => a - b);
    // Instruction numbers are below 65,536 (the program size is capped), so one code unit each.
    const key = `${atStart ? '^' : ''}${afterWord ? 'w' : ''}:${String.fromCharCode(...threads)}`;
    const known = this.states.get(key);
    if (known) return known;
    if (this.cacheEntries >= MAX_CACHE_ENTRIES) this.dropCache();
    const state: State = { threads, atStart, afterWord, dead, next: this.caching ? new Map() : UNCACHED };
    if (this.caching) {
      this.states.set(key, state);
      this.cacheEntries += threads.length + 1;
    }
    return state;
  }

  private dropCache(): void {
    this.cacheDrops++;
    this.states.clear();
    this.cacheEntries = 0;
    this.initial = this.state([], true, false);
  }
}
