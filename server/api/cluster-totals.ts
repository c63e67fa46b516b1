/**
 * The overview's counts over the vhosts a user sees. Alone, the broker's own
 * totals. In a cluster, a queue's ready, unacked, bytes and consumers are its
 * owner's (this node's copy of a queue another node serves holds nothing),
 * and connections and channels are the clients of every node, as the
 * Connections page lists them. The message counters (published, delivered…)
 * stay this node's: a publish forwarded to its queue's owner is counted on
 * both nodes, so their sum would say more than happened.
 */
import type { BrokerTotals } from '../broker/types';
import type { Services } from '../services';
import type { ConsoleAccess } from './console-access';
import { connectionRows } from './connection-rows';

export async function visibleTotals(services: Services, access: ConsoleAccess): Promise<BrokerTotals> {
  const totals = services.broker.totals(access.seesAll ? undefined : access.canSee);
  if (services.cluster === undefined) return totals;
  const elsewhere = await services.cluster.queueCountsElsewhere();
  for (const q of access.visible(services.broker.listQueueSummaries())) {
    const owner = elsewhere.get(`${q.vhost}\u0000${q.name}`);
    if (owner === undefined) continue;
    totals.ready += owner.ready - q.ready;
    totals.unacked += owner.unacked - q.unacked;
    totals.readyBytes += owner.readyBytes - q.readyBytes;
    totals.consumers += owner.consumers - q.consumers;
  }
  const clients = access.visible(await connectionRows(services));
  totals.connections = clients.length;
  totals.channels = clients.reduce((n, c) => n + c.channels, 0);
  return totals;
}
