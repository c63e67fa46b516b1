/**
 * Rule: ready messages and nobody to consume them. Dead-letter queues are
 * left to their own rule (they usually have no consumer, on purpose), and a
 * queue paused from the console says so.
 */
import { count } from './figures';
import type { Finding } from './finding';
import type { QueueView } from './queue-view';

export function backlogWithoutConsumer(q: QueueView): Finding | null {
  if (q.ready === 0 || q.consumers > 0 || q.deadLetterQueue) return null;
  return {
    kind: 'no-consumer',
    severity: 'notice',
    target: { kind: 'queue', vhost: q.vhost, name: q.name },
    summary: `${count(q.ready)} ready, no consumer${q.paused ? ' (delivery paused)' : ''}`,
    urgency: q.ready,
  };
}
