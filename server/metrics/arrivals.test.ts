import { describe, expect, it } from 'vitest';
import { ArrivalLog } from './arrivals';

describe('ArrivalLog', () => {
  it('dates a message by the first note after it arrived', () => {
    const log = new ArrivalLog();
    log.note(1, 1_000); // nothing yet
    log.note(11, 2_000); // messages 1..10 arrived by t=2000
    log.note(21, 3_000); // 11..20 by t=3000
    expect(log.arrivedBy(1)).toBe(2_000);
    expect(log.arrivedBy(10)).toBe(2_000);
    expect(log.arrivedBy(11)).toBe(3_000);
    expect(log.arrivedBy(21)).toBeNull();
  });

  it('keeps dating the head after older entries are forgotten', () => {
    const log = new ArrivalLog();
    log.note(11, 2_000);
    log.note(21, 3_000);
    log.note(31, 4_000);
    log.forgetBefore(15); // 1..14 consumed
    expect(log.arrivedBy(15)).toBe(3_000);
    log.forgetBefore(31); // all consumed
    expect(log.arrivedBy(31)).toBeNull();
  });

  it('stays small on a busy queue whose head is stuck, and still dates the head by its oldest entry', () => {
    const log = new ArrivalLog();
    for (let t = 1; t <= 1_000; t++) log.note(t * 10 + 1, t * 1_000);
    expect(log.arrivedBy(5)).toBe(1_000);
    expect(log.arrivedBy(9_995)).toBe(1_000_000);
    // Thinned: a message in the middle is dated no earlier than it can have arrived.
    const mid = log.arrivedBy(5_005)!;
    expect(mid).toBeGreaterThanOrEqual(501_000);
    expect(log.size).toBeLessThanOrEqual(64);
  });
});
