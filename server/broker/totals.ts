// The overview's totals, summed from the live per-queue counters on demand
// (a few integer additions per queue, cheap enough to sample every second),
// starting from the counters of the queues already deleted when given.

import type { Connection } from './connection';
import type { BrokerTotals, QueueCounters } from './types';
import type { Vhost } from './vhost';

/** Counters the broker keeps itself because no queue sees those messages. */
export interface EngineCounters {
  published: number;
  unroutable: number;
  returned: number;
  overDeliveryLimit: number;
  faults: number;
}

export function computeTotals(vhosts: Iterable<Vhost>, connections: Iterable<Connection>, engine: EngineCounters, retired?: QueueCounters): BrokerTotals {
  const totals: BrokerTotals = {
    vhosts: 0,
    connections: 0,
    channels: 0,
    consumers: 0,
    exchanges: 0,
    queues: 0,
    ready: 0,
    readyBytes: 0,
    unacked: 0,
    published: engine.published,
    delivered: retired?.delivered ?? 0,
    redelivered: retired?.redelivered ?? 0,
    acked: retired?.acked ?? 0,
    rejected: retired?.rejected ?? 0,
    deadLettered: retired?.deadLettered ?? 0,
    expired: retired?.expired ?? 0,
    returned: engine.returned,
    unroutable: engine.unroutable,
    overDeliveryLimit: engine.overDeliveryLimit,
    faults: engine.faults,
  };
  for (const connection of connections) {
    totals.connections++;
    totals.channels += connection.channels.size;
  }
  for (const vhost of vhosts) {
    totals.vhosts++;
    totals.exchanges += vhost.exchanges.size;
    for (const queue of vhost.queues.values()) {
      const counters = queue.counters;
      totals.queues++;
      totals.consumers += queue.consumerCount;
      totals.ready += queue.messageCount;
      totals.readyBytes += queue.readyBytes;
      totals.unacked += queue.unackedCount;
      totals.delivered += counters.delivered;
      totals.redelivered += counters.redelivered;
      totals.acked += counters.acked;
      totals.rejected += counters.rejected;
      totals.deadLettered += counters.deadLettered;
      totals.expired += counters.expired;
    }
  }
  return totals;
}
