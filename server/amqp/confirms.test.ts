import { describe, expect, it } from 'vitest';
import { ConfirmTracker } from './confirms';

function flush(t: ConfirmTracker): string[] {
  const sent: string[] = [];
  t.flush((tag, multiple, ack) => sent.push(`${ack ? 'ack' : 'nack'} ${tag}${multiple ? ' multiple' : ''}`));
  return sent;
}

describe('ConfirmTracker', () => {
  it('acks a run of ready publishes with one multiple ack', () => {
    const t = new ConfirmTracker();
    for (let i = 0; i < 5; i++) t.resolve(t.take(), true);
    expect(flush(t)).toEqual(['ack 5 multiple']);
    expect(t.hasReady).toBe(false);
  });

  it('answers out of order outcomes alone and never covers an unanswered one', () => {
    const t = new ConfirmTracker();
    const seqs = [t.take(), t.take(), t.take(), t.take()] as const;
    t.resolve(seqs[0], true);
    t.resolve(seqs[2], true); // 2 still waiting for the journal
    expect(flush(t)).toEqual(['ack 1 multiple', 'ack 3']);
    t.resolve(seqs[1], true);
    t.resolve(seqs[3], true);
    // 2 continues the prefix, 3 was answered already, 4 follows: one multiple ack of 4.
    expect(flush(t)).toEqual(['ack 4 multiple']);
  });

  it('sends a nack alone and keeps acks after it apart from acks before it', () => {
    const t = new ConfirmTracker();
    for (let i = 1; i <= 5; i++) t.resolve(t.take(), i !== 3);
    expect(flush(t)).toEqual(['ack 2 multiple', 'nack 3', 'ack 5 multiple']);
  });
});
