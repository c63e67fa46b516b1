import { afterEach } from 'vitest';

/** What to undo after each test of the file (close brokers and clients, remove data directories), last added first. */
export function cleanupAfterEach(): { push(step: () => Promise<void> | void): void } {
  let steps: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    const due = steps.reverse();
    steps = [];
    for (const step of due) await step();
  });
  return { push: (step) => void steps.push(step) };
}
