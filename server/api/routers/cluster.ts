import { TRPCError } from '@trpc/server';
import type { Services } from '../../services';
import { recordAudit } from '../audit';
import { objectName, queueRef } from '../inputs';
import { administratorsOnly, overviewProcedure, router } from '../trpc';

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

  /** The queue page's "Move to node": the owner hands the queue over at its next heartbeat, the new owner serves it at its own. */
  moveQueue: administratorsOnly('moving queues between nodes')
    .input(queueRef.extend({ node: objectName.min(1, 'Choose the node to move the queue to') }))
    .mutation(async ({ ctx, input }) => {
      const cluster = ctx.services.cluster;
      if (cluster === undefined)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'This Warren is not a cluster: its queues have no other node to move to.' });
      const refused = await cluster.moveQueue(input.vhost, input.name, input.node);
      if (refused !== null) throw new TRPCError({ code: 'BAD_REQUEST', message: `${refused[0]!.toUpperCase()}${refused.slice(1)}.` });
      await recordAudit(ctx, { action: 'queue.move-node', target: `queue '${input.name}' in vhost '${input.vhost}'`, details: { to: input.node } });
      return { requested: true };
    }),
});
