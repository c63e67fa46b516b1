/**
 * Which queues hold dead letters: those named `<queue>.dlq` (where retry
 * tiers end without a dead-letter exchange), those bound to an exchange that
 * some queue names as its x-dead-letter-exchange, and those named by a
 * x-dead-letter-routing-key through the default exchange (declared or set by
 * a policy). Read by the console's dead-letter page and by /metrics.
 */
import type { Broker } from '../broker/broker';
import type { QueueStats } from '../broker/types';

export function deadLetterQueues(broker: Broker, queues: QueueStats[], vhost?: string): QueueStats[] {
  const key = (v: string, name: string) => `${v}\n${name}`;
  const exchanges = new Set<string>();
  const targets = new Set<string>();
  for (const q of queues) {
    const args = q.effectiveArguments;
    const dlx = args['x-dead-letter-exchange'];
    const dlrk = args['x-dead-letter-routing-key'];
    if (dlx === '' && typeof dlrk === 'string') targets.add(key(q.vhost, dlrk));
    else if (typeof dlx === 'string') exchanges.add(key(q.vhost, dlx));
  }
  for (const b of broker.listBindings(vhost)) {
    if (b.destinationType === 'queue' && b.source !== '' && exchanges.has(key(b.vhost, b.source))) targets.add(key(b.vhost, b.destination));
  }
  return queues.filter((q) => q.type !== 'stream' && (q.name.endsWith('.dlq') || targets.has(key(q.vhost, q.name))));
}
