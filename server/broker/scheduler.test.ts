import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler';
import { sleep } from './test-support';

describe('Scheduler', () => {
  it('runs due wake-ups in time order and skips cancelled ones', () => {
    let now = 0;
    const scheduler = new Scheduler(() => now);
    const ran: string[] = [];
    scheduler.schedule(30, () => ran.push('c'));
    scheduler.schedule(10, () => ran.push('a'));
    const cancelled = scheduler.schedule(20, () => ran.push('cancelled'));
    scheduler.schedule(20, () => ran.push('b'));
    scheduler.schedule(99, () => ran.push('later'));
    cancelled.cancelled = true;
    now = 50;
    scheduler.runDue();
    expect(ran).toEqual(['a', 'b', 'c']);
    scheduler.close();
  });

  it('fires on its one timer with the real clock, and close() stops it', async () => {
    const scheduler = new Scheduler(Date.now);
    const ran: number[] = [];
    scheduler.schedule(Date.now() + 20, () => ran.push(1));
    scheduler.schedule(Date.now() + 250, () => ran.push(2));
    await sleep(80);
    expect(ran).toEqual([1]);
    scheduler.close();
    await sleep(250);
    expect(ran).toEqual([1]);
    expect(scheduler.pending).toBe(0);
  });
});
