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
import { isClient } from './connection-rows';

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
  // Counted from the summaries here (the full rows with channels and rates are for the Connections page) and from the rows other nodes wrote.
  const local = access.visible(services.broker.listConnections()).filter((c) => isClient(services.broker, c));
  const remote = access.visible(
    (await services.cluster.connections.elsewhere().catch(() => [])).flatMap(({ rows }) => rows as { vhost: string; channels: number }[]),
  );
  const clients = [...local, ...remote];
  totals.connections = clients.length;
  totals.channels = clients.reduce((n, c) => n + c.channels, 0);
  return totals;
}
