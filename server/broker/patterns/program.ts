// A parsed pattern as a Thompson NFA: a list of instructions, entered at 0.
//
//   chars   consume one code unit in the set, go on at pc + 1
//   assert  go on at pc + 1 without consuming if the assertion holds here
//   split   go on at both `first` and `second` (alternation, loops, options)
//   jump    go on at `to`
//   match   the pattern has matched
//
// Repetitions are unrolled: a{2,4} is a a (a (a)?)?. Sizes were capped by the parser.

import type { CharSet } from './char-set';
import type { Assertion, PatternNode } from './pattern-syntax';

export type Instruction =
  | { op: 'chars'; set: CharSet }
  | { op: 'assert'; assertion: Assertion }
  | { op: 'split'; first: number; second: number }
  | { op: 'jump'; to: number }
  | { op: 'match' };

export function compileProgram(root: PatternNode): Instruction[] {
  const program: Instruction[] = [];
  emit(root, program);
  program.push({ op: 'match' });
  return program;
}

function emit(node: PatternNode, program: Instruction[]): void {
  switch (node.kind) {
    case 'chars':
      program.push({ op: 'chars', set: node.set });
      return;
    case 'assert':
      program.push({ op: 'assert', assertion: node.assertion });
      return;
    case 'sequence':
      for (const item of node.items) emit(item, program);
      return;
    case 'choice': {
      const exits: { op: 'jump'; to: number }[] = [];
      node.options.forEach((option, i) => {
        if (i === node.options.length - 1) return emit(option, program);
        const split = { op: 'split' as const, first: program.length + 1, second: -1 };
        program.push(split);
        emit(option, program);
        const exit = { op: 'jump' as const, to: -1 };
        exits.push(exit);
        program.push(exit);
        split.second = program.length;
      });
      for (const exit of exits) exit.to = program.length;
      return;
    }
    case 'repeat': {
      for (let i = 0; i < node.min; i++) emit(node.item, program);
      if (node.max === Infinity) {
        const loop = { op: 'split' as const, first: program.length + 1, second: -1 };
        const top = program.length;
        program.push(loop);
        emit(node.item, program);
        program.push({ op: 'jump', to: top });
        loop.second = program.length;
        return;
      }
      const skips: { op: 'split'; first: number; second: number }[] = [];
      for (let i = node.min; i < node.max; i++) {
        const skip = { op: 'split' as const, first: program.length + 1, second: -1 };
        skips.push(skip);
        program.push(skip);
        emit(node.item, program);
      }
      for (const skip of skips) skip.second = program.length;
      return;
    }
  }
}
