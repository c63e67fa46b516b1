// The base of every exchange type: identity, flags, counters and the binding
// set. A subclass only decides which bindings a message matches (`route` for
// the hot path, `explain` for the console's routing tester).

import type { Binding, Destination } from '../binding';
import { alternateExchangeWithPolicy, type PolicyDefinition } from '../policy/policy-definition';
import type { ExchangeCounters, ExchangeStats, ExchangeType, FieldTable } from '../types';

export interface ExchangeSettings {
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface MatchExplanation {
  matched: boolean;
  reason: string;
}

export const NO_DESTINATIONS: readonly Destination[] = Object.freeze([]);

export abstract class Exchange {
  readonly kind = 'exchange' as const;
  abstract readonly type: ExchangeType;
  /** Bindings with this exchange as source, by Binding.key. */
  readonly bindings = new Map<string, Binding>();
  /** Exchange-to-exchange bindings with this exchange as destination. */
  readonly incoming = new Set<Binding>();
  readonly counters: ExchangeCounters = { publishedIn: 0, publishedOut: 0, unroutable: 0, returned: 0 };
  /** The policy that applies to it (set by its vhost), or null. */
  policy: PolicyDefinition | null = null;

  constructor(
    readonly vhost: string,
    readonly name: string,
    readonly settings: ExchangeSettings,
  ) {}

  /** Name of the alternate exchange (its `alternate-exchange` argument, else its policy's), if any. */
  get alternateExchange(): string | undefined {
    return alternateExchangeWithPolicy(this.settings.arguments, this.policy?.definition ?? null);
  }

  /** Adds a binding; false when an identical one exists. */
  addBinding(binding: Binding): boolean {
    if (this.bindings.has(binding.key)) return false;
    this.bindings.set(binding.key, binding);
    this.bound(binding);
    return true;
  }

  /** Removes a binding by key; returns it, or undefined when absent. */
  removeBinding(key: string): Binding | undefined {
    const binding = this.bindings.get(key);
    if (!binding) return undefined;
    this.bindings.delete(key);
    this.unbound(binding);
    return binding;
  }

  /**
   * Destinations matched by a message, each at most once. The returned array
   * may be shared and must not be modified.
   */
  abstract route(routingKey: string, headers: FieldTable | undefined): readonly Destination[];

  /** Whether one binding matches, and why (for the routing tester). */
  abstract explain(binding: Binding, routingKey: string, headers: FieldTable | undefined): MatchExplanation;

  protected abstract bound(binding: Binding): void;
  protected abstract unbound(binding: Binding): void;

  stats(): ExchangeStats {
    return {
      vhost: this.vhost,
      name: this.name,
      type: this.type,
      durable: this.settings.durable,
      autoDelete: this.settings.autoDelete,
      internal: this.settings.internal,
      arguments: this.settings.arguments,
      policy: this.policy?.name ?? null,
      alternateExchange: this.alternateExchange ?? null,
      counters: { ...this.counters },
    };
  }
}

/** Appends `destination` unless already present (arrays here are short). */
export function addUnique(list: Destination[], destination: Destination): void {
  if (!list.includes(destination)) list.push(destination);
}

/** Rebuilds the unique destination list of a set of bindings. */
export function uniqueDestinations(bindings: Iterable<Binding>): Destination[] {
  const list: Destination[] = [];
  for (const b of bindings) addUnique(list, b.destination);
  return list;
}
