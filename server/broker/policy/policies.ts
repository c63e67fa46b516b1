// The policies of one vhost, and which one applies to a queue or exchange.

import type { UserPattern } from '../patterns/user-pattern';
import { checkPolicy, type PolicyDefinition } from './policy-definition';

interface CompiledPolicy {
  readonly policy: PolicyDefinition;
  readonly pattern: UserPattern;
}

export class Policies {
  private readonly byName = new Map<string, CompiledPolicy>();

  constructor(private readonly vhost: string) {}

  get size(): number {
    return this.byName.size;
  }

  /** Adds or replaces a policy after checking it (406 with what is wrong). */
  set(policy: PolicyDefinition): void {
    const pattern = checkPolicy(this.vhost, policy);
    this.byName.set(policy.name, { policy: { ...policy, definition: { ...policy.definition } }, pattern });
  }

  /** False when no policy has that name. */
  delete(name: string): boolean {
    return this.byName.delete(name);
  }

  get(name: string): PolicyDefinition | undefined {
    return this.byName.get(name)?.policy;
  }

  list(): PolicyDefinition[] {
    return [...this.byName.values()].map((c) => c.policy).sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  }

  /** The policy that applies to a queue or an exchange of that name, or null. */
  match(kind: 'queue' | 'exchange', name: string): PolicyDefinition | null {
    let best: PolicyDefinition | null = null;
    for (const { policy, pattern } of this.byName.values()) {
      if (policy.applyTo !== 'all' && policy.applyTo !== (kind === 'queue' ? 'queues' : 'exchanges')) continue;
      if (!pattern.test(name)) continue;
      if (best === null || policy.priority > best.priority || (policy.priority === best.priority && policy.name < best.name)) best = policy;
    }
    return best;
  }
}
