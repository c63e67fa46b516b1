/**
 * Rule: messages wait while every active consumer has as many unacked as its
 * prefetch allows, so none can take more: the consumers are the bottleneck
 * (too few, or too slow to ack). A consumer without a prefetch limit is never
 * full; a paused queue waits on purpose.
 */
import { count } from './figures';
import type { Finding } from './finding';
import type { QueueView } from './queue-view';

export function consumersSaturated(q: QueueView): Finding | null {
  const active = q.activeConsumers;
  if (q.ready === 0 || q.paused || active.length === 0) return null;
  if (!active.every((c) => c.prefetch > 0 && c.unacked >= c.prefetch)) return null;
  const unacked = active.reduce((n, c) => n + c.unacked, 0);
  const prefetch = active.reduce((n, c) => n + c.prefetch, 0);
  const who = active.length === 1 ? 'its consumer is' : `all ${active.length} consumers are`;
  return {
    kind: 'saturated',
    severity: 'notice',
    target: { kind: 'queue', vhost: q.vhost, name: q.name },
    summary: `Consumers saturated: ${who} at prefetch (${count(unacked)} / ${count(prefetch)} unacked), ${count(q.ready)} ready waiting`,
    urgency: q.ready,
  };
}
