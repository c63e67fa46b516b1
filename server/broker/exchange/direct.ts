// Direct exchange: a binding matches when its key equals the routing key.
// Routing is one hash-map lookup returning a prebuilt destination list.

import type { Binding, Destination } from '../binding';
import { Exchange, NO_DESTINATIONS, uniqueDestinations, type MatchExplanation } from './exchange';

export class DirectExchange extends Exchange {
  readonly type = 'direct' as const;
  /** routing key → bindings with that key. */
  private readonly bindingsByKey = new Map<string, Set<Binding>>();
  /** routing key → unique destinations of those bindings. */
  private readonly byKey = new Map<string, Destination[]>();

  route(routingKey: string): readonly Destination[] {
    return this.byKey.get(routingKey) ?? NO_DESTINATIONS;
  }

  explain(binding: Binding, routingKey: string): MatchExplanation {
    return binding.routingKey === routingKey
      ? { matched: true, reason: `binding key '${binding.routingKey}' equals the routing key` }
      : { matched: false, reason: `binding key '${binding.routingKey}' differs from '${routingKey}'` };
  }

  protected bound(binding: Binding): void {
    let same = this.bindingsByKey.get(binding.routingKey);
    if (!same) this.bindingsByKey.set(binding.routingKey, (same = new Set()));
    same.add(binding);
    this.byKey.set(binding.routingKey, uniqueDestinations(same));
  }

  protected unbound(binding: Binding): void {
    const same = this.bindingsByKey.get(binding.routingKey);
    if (!same) return;
    same.delete(binding);
    if (same.size === 0) {
      this.bindingsByKey.delete(binding.routingKey);
      this.byKey.delete(binding.routingKey);
    } else {
      this.byKey.set(binding.routingKey, uniqueDestinations(same));
    }
  }
}
