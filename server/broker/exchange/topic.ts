// Topic exchange: binding keys are dot-separated patterns where `*` matches
// exactly one word and `#` zero or more. Matching walks a trie; results are
// cached per routing key in a bounded cache cleared on every binding change.

import type { Binding, Destination } from '../binding';
import { BoundedCache } from '../routing/bounded-cache';
import { TopicTrie, topicMatches } from '../routing/topic-trie';
import { addUnique, Exchange, type MatchExplanation } from './exchange';

const CACHE_ENTRIES = 4096;

export class TopicExchange extends Exchange {
  readonly type = 'topic' as const;
  private readonly trie = new TopicTrie();
  private readonly cache = new BoundedCache<string, Destination[]>(CACHE_ENTRIES);

  route(routingKey: string): readonly Destination[] {
    let destinations = this.cache.get(routingKey);
    if (!destinations) {
      const found: Destination[] = [];
      this.trie.match(routingKey, (b) => addUnique(found, b.destination));
      destinations = found;
      this.cache.set(routingKey, destinations);
    }
    return destinations;
  }

  explain(binding: Binding, routingKey: string): MatchExplanation {
    const matched = topicMatches(binding.routingKey, routingKey);
    return {
      matched,
      reason: matched
        ? `pattern '${binding.routingKey}' matches '${routingKey}'`
        : `pattern '${binding.routingKey}' does not match '${routingKey}' (* is one word, # zero or more)`,
    };
  }

  protected bound(binding: Binding): void {
    this.trie.add(binding);
    this.cache.clear();
  }

  protected unbound(binding: Binding): void {
    this.trie.remove(binding);
    this.cache.clear();
  }
}
