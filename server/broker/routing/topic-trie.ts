// A trie over the dot-separated words of topic binding keys. Each node has
// children by literal word plus optional `*` (exactly one word) and `#`
// (zero or more words) children; bindings sit on the node where their key
// ends. The empty key is zero words, so '#' matches the routing key ''.

import type { Binding } from '../binding';

class TrieNode {
  readonly words = new Map<string, TrieNode>();
  star: TrieNode | null = null;
  hash: TrieNode | null = null;
  readonly bindings = new Set<Binding>();

  isEmpty(): boolean {
    return this.words.size === 0 && !this.star && !this.hash && this.bindings.size === 0;
  }
}

export function splitTopic(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

export class TopicTrie {
  private readonly root = new TrieNode();

  add(binding: Binding): void {
    let node = this.root;
    for (const word of splitTopic(binding.routingKey)) node = this.child(node, word);
    node.bindings.add(binding);
  }

  remove(binding: Binding): void {
    this.removeFrom(this.root, splitTopic(binding.routingKey), 0, binding);
  }

  /** Calls `found` for every binding whose pattern matches (possibly more than once each). */
  match(routingKey: string, found: (binding: Binding) => void): void {
    this.walk(this.root, splitTopic(routingKey), 0, found);
  }

  private walk(node: TrieNode, words: string[], index: number, found: (binding: Binding) => void): void {
    if (node.hash) {
      // '#' swallows zero or more of the remaining words.
      for (let next = index; next <= words.length; next++) this.walk(node.hash, words, next, found);
    }
    if (index === words.length) {
      for (const b of node.bindings) found(b);
      return;
    }
    const literal = node.words.get(words[index]!); // index < words.length here
    if (literal) this.walk(literal, words, index + 1, found);
    if (node.star) this.walk(node.star, words, index + 1, found);
  }

  private child(node: TrieNode, word: string): TrieNode {
    if (word === '*') return (node.star ??= new TrieNode());
    if (word === '#') return (node.hash ??= new TrieNode());
    let next = node.words.get(word);
    if (!next) node.words.set(word, (next = new TrieNode()));
    return next;
  }

  /** Removes the binding and prunes nodes left empty; returns whether `node` is now empty. */
  private removeFrom(node: TrieNode, words: string[], index: number, binding: Binding): boolean {
    if (index === words.length) {
      node.bindings.delete(binding);
      return node.isEmpty();
    }
    const word = words[index]!; // index < words.length here
    const next = word === '*' ? node.star : word === '#' ? node.hash : node.words.get(word);
    if (next && this.removeFrom(next, words, index + 1, binding)) {
      if (word === '*') node.star = null;
      else if (word === '#') node.hash = null;
      else node.words.delete(word);
    }
    return node.isEmpty();
  }
}

/** Whether one topic pattern matches a routing key (for explanations, not the hot path). */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = splitTopic(pattern);
  const k = splitTopic(routingKey);
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') {
      for (let next = j; next <= k.length; next++) if (match(i + 1, next)) return true;
      return false;
    }
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}
