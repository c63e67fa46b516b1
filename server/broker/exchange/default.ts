// The default exchange ('' in every vhost): a direct exchange where every
// queue is implicitly bound with its own name. It cannot be bound to,
// unbound from or deleted; routing is a lookup in the vhost's queue map.

import type { Binding, Destination } from '../binding';
import type { Queue } from '../queue/queue';
import { Exchange, NO_DESTINATIONS, type MatchExplanation } from './exchange';

export class DefaultExchange extends Exchange {
  readonly type = 'direct' as const;

  constructor(
    vhost: string,
    private readonly queues: ReadonlyMap<string, Queue>,
  ) {
    super(vhost, '', { durable: true, autoDelete: false, internal: false, arguments: {} });
  }

  route(routingKey: string): readonly Destination[] {
    return this.queues.get(routingKey)?.selfRoute ?? NO_DESTINATIONS;
  }

  explain(_binding: Binding, routingKey: string): MatchExplanation {
    return { matched: this.queues.has(routingKey), reason: `the default exchange routes to the queue named '${routingKey}'` };
  }

  protected bound(): void {}
  protected unbound(): void {}
}
