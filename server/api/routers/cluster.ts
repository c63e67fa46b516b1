import type { Services } from '../../services';
import { overviewProcedure, router } from '../trpc';

/**
 * The nodes of the cluster this node is in; `clustered: false` (and no nodes)
 * when it runs alone. A node that lost its database says why (`databaseLoss`),
 * with no nodes while it cannot read them.
 */
async function clusterNodes(services: Services) {
  const cluster = services.cluster;
  if (cluster === undefined) return { clustered: false as const, self: services.nodeName, nodes: [], databaseLoss: null };
  const nodes = await cluster.nodes().catch((error: unknown) => {
    if (cluster.databaseLoss === null) throw error;
    return [];
  });
  return { clustered: true as const, self: cluster.name, nodes, databaseLoss: cluster.databaseLoss };
}

export const clusterRouter = router({
  /** The Nodes page: every node sharing this PostgreSQL database, live, stale or left, with its addresses and last heartbeat. */
  nodes: overviewProcedure.query(({ ctx }) => clusterNodes(ctx.services)),
});
