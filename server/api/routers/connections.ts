import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { type AuditActor, recordAudit } from '../audit';
import { closeConnection } from '../changes';
import { channelRows, connectionRows, parseConnectionId } from '../connection-rows';
import { type ConsoleAccess, refusals } from '../console-access';
import { protectedProcedure, router } from '../trpc';

/** Another node's connection (`conn-5@n2` on this console): found in the rows its node wrote, closed by that node at its next heartbeat. */
async function closeElsewhere(actor: AuditActor, access: ConsoleAccess, shownId: string, reason: string) {
  const { id, node } = parseConnectionId(shownId);
  const cluster = actor.services.cluster;
  const row = cluster && (await connectionRows(actor.services)).find((c) => c.id === shownId);
  if (!cluster || node === null || row === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: `Connection ${shownId} is no longer open.` });
  if (!access.canChange(row.vhost)) throw new TRPCError({ code: 'FORBIDDEN', message: refusals.noPermission(actor.user.name, row.vhost) });
  const refused = await cluster.connections.close(node, id, reason);
  if (refused !== null) throw new TRPCError({ code: 'TIMEOUT', message: `Connection ${shownId} is not closed: ${refused}.` });
  await recordAudit(actor, { action: 'connection.close', target: `connection ${id} on node '${node}'`, details: { reason } });
  return { ok: true };
}

export const connectionsRouter = router({
  /** Every client connection of every node with its channels and what they consume. */
  list: protectedProcedure.query(async ({ ctx }) => ctx.access.visible(await connectionRows(ctx.services))),

  /** Every channel of every client connection, as RabbitMQ's Channels tab lists them. */
  channels: protectedProcedure.query(async ({ ctx }) => channelRows(ctx.access.visible(await connectionRows(ctx.services)))),

  close: protectedProcedure
    .input(z.object({ id: z.string().min(1), reason: z.string().max(200).default('Closed from the Warren console') }))
    .mutation(async ({ ctx, input }) => {
      if (parseConnectionId(input.id).node !== null) return closeElsewhere(ctx, ctx.access, input.id, input.reason);
      const connection = ctx.services.broker.getConnection(input.id);
      if (connection && !ctx.access.canChange(connection.vhost)) {
        throw new TRPCError({ code: 'FORBIDDEN', message: refusals.noPermission(ctx.user.name, connection.vhost) });
      }
      if (!connection || !(await closeConnection(ctx, input.id, input.reason))) {
        throw new TRPCError({ code: 'NOT_FOUND', message: `Connection ${input.id} is no longer open.` });
      }
      return { ok: true };
    }),
});
