// Routing of one message through a vhost's exchanges: the exchange's own
// matches, exchange-to-exchange bindings (each exchange visited once, so
// binding loops end), and alternate exchanges, used when an exchange matched
// nothing at all. The common case (only queues matched) returns the
// exchange's shared list without allocating.

import type { Exchange } from '../exchange/exchange';
import type { Queue } from '../queue/queue';
import type { FieldTable } from '../types';

export type ExchangeLookup = (name: string) => Exchange | undefined;

const NO_QUEUES: readonly Queue[] = Object.freeze([]);

export function routeMessage(lookup: ExchangeLookup, start: Exchange, routingKey: string, headers: FieldTable | undefined): readonly Queue[] {
  const direct = start.route(routingKey, headers);
  let onlyQueues = direct.length > 0;
  for (let i = 0; i < direct.length && onlyQueues; i++) onlyQueues = direct[i]!.kind === 'queue';
  if (onlyQueues) return direct as readonly Queue[];
  if (direct.length === 0 && start.alternateExchange === undefined) return NO_QUEUES;

  const queues = new Set<Queue>();
  const seen = new Set<Exchange>([start]);
  const work: Exchange[] = [start];
  while (work.length > 0) {
    const exchange = work.pop() as Exchange;
    const destinations = exchange === start ? direct : exchange.route(routingKey, headers);
    if (destinations.length === 0) {
      const alternate = exchange.alternateExchange !== undefined ? lookup(exchange.alternateExchange) : undefined;
      if (alternate && !seen.has(alternate)) {
        seen.add(alternate);
        work.push(alternate);
      }
      continue;
    }
    for (const destination of destinations) {
      if (destination.kind === 'queue') queues.add(destination);
      else if (!seen.has(destination)) {
        seen.add(destination);
        work.push(destination);
      }
    }
  }
  return queues.size === 0 ? NO_QUEUES : [...queues];
}

/** Keys of a sender-selected distribution header (CC or BCC): strings, or Buffers from the codec. */
export function headerKeys(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((key) => (typeof key === 'string' ? [key] : Buffer.isBuffer(key) ? [key.toString()] : []));
}

/**
 * Routes with RabbitMQ's sender-selected distribution: the routing key plus
 * the keys of the CC and BCC headers, each queue at most once. Without those
 * headers it is routeMessage (the hot path allocates nothing more).
 */
export function routeSenderSelected(lookup: ExchangeLookup, start: Exchange, routingKey: string, headers: FieldTable | undefined): readonly Queue[] {
  if (headers === undefined || (headers.CC === undefined && headers.BCC === undefined)) return routeMessage(lookup, start, routingKey, headers);
  return routeWithKeys(lookup, start, [routingKey, ...headerKeys(headers.CC), ...headerKeys(headers.BCC)], headers);
}

/** Routes with several routing keys; each queue at most once. */
function routeWithKeys(lookup: ExchangeLookup, start: Exchange, routingKeys: string[], headers: FieldTable | undefined): readonly Queue[] {
  const queues = new Set<Queue>();
  for (const key of routingKeys) for (const queue of routeMessage(lookup, start, key, headers)) queues.add(queue);
  return [...queues];
}
