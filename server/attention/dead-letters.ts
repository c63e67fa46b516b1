/**
 * Rule: a dead-letter queue that is filling: messages failed (rejected,
 * expired, over a limit) and more keep arriving. The depth change over the
 * sampler's window counts what arrived, as a dead-letter queue is seldom
 * consumed.
 */
import { count, rate } from './figures';
import type { Finding } from './finding';
import type { QueueView } from './queue-view';

export function deadLettersArriving(q: QueueView): Finding | null {
  if (!q.deadLetterQueue || q.growthPerSecond === null || q.growthPerSecond <= 0) return null;
  return {
    kind: 'dead-letters',
    severity: 'warning',
    target: { kind: 'queue', vhost: q.vhost, name: q.name },
    summary: `Dead letters arriving ${rate(q.growthPerSecond)}, ${count(q.ready)} held`,
    urgency: q.growthPerSecond,
  };
}
