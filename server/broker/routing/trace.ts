// The routing tester: the path a message would take, binding by binding,
// with the reason each binding matched or not, following exchange-to-exchange
// bindings and alternate exchanges exactly as routeMessage does.

import type { Exchange } from '../exchange/exchange';
import type { Queue } from '../queue/queue';
import type { FieldTable, TraceResult, TraceStep } from '../types';
import type { ExchangeLookup } from './router';

export function traceRoute(
  lookup: ExchangeLookup,
  start: Exchange,
  routingKey: string,
  headers: FieldTable | undefined,
  defaultExchangeQueue: (name: string) => Queue | undefined,
): TraceResult {
  const steps: TraceStep[] = [];
  const queues = new Set<string>();
  const seen = new Set<Exchange>([start]);
  const work: { exchange: Exchange; via: TraceStep['via'] }[] = [{ exchange: start, via: 'publish' }];
  while (work.length > 0) {
    const { exchange, via } = work.shift() as { exchange: Exchange; via: TraceStep['via'] };
    const base = { exchange: exchange.name, exchangeType: exchange.type, via };
    if (exchange.name === '') {
      const queue = defaultExchangeQueue(routingKey);
      steps.push({
        ...base,
        binding: null,
        matched: queue !== undefined,
        reason: queue ? `the default exchange routes to queue '${routingKey}'` : `no queue named '${routingKey}'`,
      });
      if (queue) queues.add(queue.name);
      continue;
    }
    let matchedAny = false;
    for (const binding of exchange.bindings.values()) {
      const { matched, reason } = exchange.explain(binding, routingKey, headers);
      steps.push({ ...base, binding: binding.info(), matched, reason });
      if (!matched) continue;
      matchedAny = true;
      const destination = binding.destination;
      if (destination.kind === 'queue') queues.add(destination.name);
      else if (!seen.has(destination)) {
        seen.add(destination);
        work.push({ exchange: destination, via: 'exchange-binding' });
      }
    }
    if (!matchedAny && exchange.alternateExchange !== undefined) {
      const alternate = lookup(exchange.alternateExchange);
      if (alternate && !seen.has(alternate)) {
        seen.add(alternate);
        work.push({ exchange: alternate, via: 'alternate-exchange' });
      }
    }
  }
  return { steps, queues: [...queues], unroutable: queues.size === 0 };
}
