import type { Broker } from '../broker/broker';
import { queueArgumentsWithPolicy } from '../broker/policy/policy-definition';

/** A queue's arguments as they apply: its declared ones with its policy's definition merged in, as the engine merges them. */
export function effectiveQueueArguments(broker: Broker, queue: { vhost: string; name: string; policy: string | null; arguments: Record<string, unknown> }): Record<string, unknown> {
  if (queue.policy === null) return queue.arguments;
  return queueArgumentsWithPolicy(queue.name, queue.arguments, broker.policy(queue.vhost, queue.policy).definition);
}

/** An exchange's arguments as they apply: its alternate exchange may come from its policy. */
export function effectiveExchangeArguments(broker: Broker, exchange: { vhost: string; policy: string | null; arguments: Record<string, unknown> }): Record<string, unknown> {
  if (exchange.policy === null || exchange.arguments['alternate-exchange'] !== undefined) return exchange.arguments;
  const alternate = broker.policy(exchange.vhost, exchange.policy).definition['alternate-exchange'];
  return alternate === undefined ? exchange.arguments : { ...exchange.arguments, 'alternate-exchange': alternate };
}
