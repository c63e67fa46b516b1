import { describe, expect, it } from 'vitest';
import { crashSummary, runCrashHarness } from './crash-harness';

// The short run of the crash harness (the full one: npx tsx test/durability/crash-harness.ts --cycles 20).

describe('kill -9 while publishing with confirms', () => {
  it('loses no confirmed message over 3 kill/restart cycles, and no body comes back altered', async () => {
    const result = await runCrashHarness(3);
    console.log(crashSummary(result));
    expect(result.confirmed).toBeGreaterThan(100);
    expect(result.recovered).toBe(result.confirmed);
    expect([result.lost, result.corrupt, result.outOfOrder, result.topologyLost]).toEqual([0, 0, 0, 0]);
    expect(result.cycleQueuesChecked).toBeGreaterThanOrEqual(2); // a kill may come before a cycle's declaration
  }, 120_000);
});
