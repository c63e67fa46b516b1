import amqp, { type ChannelModel } from 'amqplib';
import { afterEach } from 'vitest';

export interface TestCleanup {
  /** Adds a step to run after the test (close a broker, remove a data directory); the last added runs first. */
  push(step: () => Promise<void> | void): void;
  /** An amqplib connection closed after the test; its errors (a broker stopped under it) are expected and ignored. */
  connect(url: string): Promise<ChannelModel>;
}

/** What to undo after each test of the file. */
export function cleanupAfterEach(): TestCleanup {
  let steps: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    const due = steps.reverse();
    steps = [];
    for (const step of due) await step();
  });
  const push = (step: () => Promise<void> | void) => void steps.push(step);
  return {
    push,
    async connect(url) {
      const conn = await amqp.connect(url);
      conn.on('error', () => {});
      push(() => conn.close().catch(() => {}));
      return conn;
    },
  };
}
