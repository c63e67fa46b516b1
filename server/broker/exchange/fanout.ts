// Fanout exchange: every binding matches, whatever the routing key.

import type { Binding, Destination } from '../binding';
import { addUnique, Exchange, uniqueDestinations, type MatchExplanation } from './exchange';

export class FanoutExchange extends Exchange {
  readonly type = 'fanout' as const;
  private destinations: Destination[] = [];

  route(): readonly Destination[] {
    return this.destinations;
  }

  explain(): MatchExplanation {
    return { matched: true, reason: 'fanout exchanges match every binding' };
  }

  protected bound(binding: Binding): void {
    // Copy on write: a routed list handed out earlier must not change under its holder.
    const next = this.destinations.slice();
    addUnique(next, binding.destination);
    this.destinations = next;
  }

  protected unbound(): void {
    this.destinations = uniqueDestinations(this.bindings.values());
  }
}
