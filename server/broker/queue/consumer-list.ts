// The consumers of one queue, in the order deliveries should try them:
// highest priority first, and within a priority the one served longest ago
// first (pick() rotates the chosen one to the back of its priority group,
// which makes round-robin). With single-active-consumer the list is kept in
// arrival order and only the first consumer ever receives.

import type { Consumer } from '../consumer';
import { BrokerError, resourceName } from '../errors';

export class ConsumerList {
  private readonly list: Consumer[] = [];

  constructor(private readonly singleActive: boolean) {}

  get length(): number {
    return this.list.length;
  }

  /** The single active consumer, or null. */
  get active(): Consumer | null {
    return this.singleActive ? (this.list[0] ?? null) : null;
  }

  /** 403 when an exclusive consumer is involved, as RabbitMQ answers. */
  add(consumer: Consumer, queue: string, vhost: string): void {
    const list = this.list;
    if (list.some((c) => c.exclusive) || (consumer.exclusive && list.length > 0)) {
      throw new BrokerError('ACCESS_REFUSED', `${resourceName('queue', queue, vhost)} in exclusive use`);
    }
    if (this.singleActive) {
      list.push(consumer);
      return;
    }
    let at = list.length;
    while (at > 0 && list[at - 1]!.priority < consumer.priority) at--;
    list.splice(at, 0, consumer);
  }

  /** False when it was not registered. */
  remove(consumer: Consumer): boolean {
    const index = this.list.indexOf(consumer);
    if (index < 0) return false;
    this.list.splice(index, 1);
    return true;
  }

  /** Empties the list, returning what it held. */
  clear(): Consumer[] {
    return this.list.splice(0);
  }

  /** The consumer that should get the next message, or null when none can receive now. */
  pick(): Consumer | null {
    const list = this.list;
    if (this.singleActive) {
      const active = list[0];
      return active !== undefined && active.canReceive() ? active : null;
    }
    // Indexes below n only: this runs per delivery, so no bounds checks are added.
    const n = list.length;
    for (let i = 0; i < n; i++) {
      const consumer = list[i]!;
      if (!consumer.canReceive()) continue;
      let j = i;
      while (j + 1 < n && list[j + 1]!.priority === consumer.priority) {
        list[j] = list[j + 1]!;
        j++;
      }
      list[j] = consumer;
      return consumer;
    }
    return null;
  }

  /** Each consumer with whether it may receive (false for waiting single-active candidates). */
  entries(): { consumer: Consumer; active: boolean }[] {
    return this.list.map((consumer, i) => ({ consumer, active: !this.singleActive || i === 0 }));
  }
}
