import { describe, expect, it, vi } from 'vitest';
import { Scheduler } from './scheduler';

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

  it('fires on its one timer, and close() stops it (timers and clock faked)', () => {
    vi.useFakeTimers();
    try {
      const scheduler = new Scheduler(Date.now);
      const ran: number[] = [];
      scheduler.schedule(Date.now() + 20, () => ran.push(1));
      scheduler.schedule(Date.now() + 250, () => ran.push(2));
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(80);
      expect(ran).toEqual([1]);
      scheduler.close();
      vi.advanceTimersByTime(250);
      expect(ran).toEqual([1]);
      expect(scheduler.pending).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
