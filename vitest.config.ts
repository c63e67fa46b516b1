import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; cross-module integration tests live in test/.
// Playwright specs in e2e/ are run by Playwright, not Vitest.
//
// Tests named *.latency.test.ts check that AMQP round trips stay short while
// the broker does something long (a move, a search): they run after all the
// others, one file at a time, so that other tests' CPU does not count as the
// broker's.
const LATENCY = '**/*.latency.test.ts';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'tests',
          include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [LATENCY, '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'latency',
          include: [`test/${LATENCY}`],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
