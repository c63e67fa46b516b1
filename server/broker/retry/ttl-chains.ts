// Recognises RabbitMQ-style retry chains, built by hand from plain queues: the
// work queue dead-letters failed messages into a queue with x-message-ttl, and
// that queue's own dead-letter exchange routes the expired message back to the
// work queue. Each such TTL queue is reported as a retry tier of the work
// queue (its TTL is the delay), so the console can draw hand-built chains the
// same way as x-retry-tiers. Nothing here changes how the messages flow.

import type { Queue } from '../queue/queue';
import { routeMessage } from '../routing/router';
import type { Vhost } from '../vhost';

export interface TtlChainTier {
  /** The TTL queue holding the messages of this tier. */
  queue: string;
  delayMs: number;
}

/** The TTL queues that send `work`'s failed messages back to it, shortest delay first; empty when none. */
export function ttlChainTiers(vhost: Vhost, work: Queue): TtlChainTier[] {
  const outward = work.config.deadLetterExchange;
  if (outward === null || work.retry !== null) return [];
  // Dead-lettered messages keep their routing key unless the queue overrides it;
  // the keys that bring messages into the work queue stand for "their routing key".
  const keysOut = work.config.deadLetterRoutingKey !== null ? [work.config.deadLetterRoutingKey] : inboundKeys(work);
  const tiers: TtlChainTier[] = [];
  for (const holding of reachable(vhost, outward, keysOut)) {
    const { messageTtl, deadLetterExchange, deadLetterRoutingKey } = holding.config;
    if (holding === work || messageTtl === null || deadLetterExchange === null) continue;
    const keysBack = deadLetterRoutingKey !== null ? [deadLetterRoutingKey] : keysOut;
    if (reachable(vhost, deadLetterExchange, keysBack).has(work)) tiers.push({ queue: holding.name, delayMs: messageTtl });
  }
  return tiers.sort((a, b) => a.delayMs - b.delayMs || a.queue.localeCompare(b.queue));
}

/** The routing keys of the bindings into `queue`, and its name (the default exchange's binding). */
function inboundKeys(queue: Queue): string[] {
  const keys = new Set([queue.name]);
  for (const binding of queue.bindings) keys.add(binding.routingKey);
  return [...keys];
}

function reachable(vhost: Vhost, exchangeName: string, keys: string[]): Set<Queue> {
  const exchange = vhost.exchanges.get(exchangeName);
  const out = new Set<Queue>();
  if (exchange === undefined) return out;
  for (const key of keys) for (const queue of routeMessage(vhost.lookupExchange, exchange, key, undefined)) out.add(queue);
  return out;
}
