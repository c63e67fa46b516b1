import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; cross-module integration tests live in test/.
// Playwright specs in e2e/ are run by Playwright, not Vitest.
export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
