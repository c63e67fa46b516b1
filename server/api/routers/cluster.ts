import type { Services } from '../../services';
import { overviewProcedure, router } from '../trpc';

/** The nodes of the cluster this node is in; `clustered: false` (and no nodes) when it runs alone. */
async function clusterNodes(services: Services) {
  const cluster = services.cluster;
  if (cluster === undefined) return { clustered: false as const, self: services.nodeName, nodes: [] };
  return { clustered: true as const, self: cluster.name, nodes: await cluster.nodes() };
}

export const clusterRouter = router({
  /** The Nodes page: every node sharing this PostgreSQL database, live, stale or left, with its addresses and last heartbeat. */
  nodes: overviewProcedure.query(({ ctx }) => clusterNodes(ctx.services)),
});
