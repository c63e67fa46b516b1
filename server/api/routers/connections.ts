import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { closeConnection } from '../changes';
import { channelRows, connectionRows, findConnectionRow, parseConnectionId } from '../connection-rows';
import { refusals } from '../console-access';
import { protectedProcedure, router } from '../trpc';

export const connectionsRouter = router({
  /** Every client connection of every node with its channels and what they consume. */
  list: protectedProcedure.query(async ({ ctx }) => ctx.access.visible(await connectionRows(ctx.services))),

  /** Every channel of every client connection, as RabbitMQ's Channels tab lists them. */
  channels: protectedProcedure.query(async ({ ctx }) => channelRows(ctx.access.visible(await connectionRows(ctx.services)))),

  close: protectedProcedure
    .input(z.object({ id: z.string().min(1), reason: z.string().max(200).default('Closed from the Warren console') }))
    .mutation(async ({ ctx, input }) => {
      const row = await findConnectionRow(ctx.services, input.id);
      if (row === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: `Connection ${input.id} is no longer open.` });
      if (!ctx.access.canChange(row.vhost)) throw new TRPCError({ code: 'FORBIDDEN', message: refusals.noPermission(ctx.user.name, row.vhost) });
      const refused = await closeConnection(ctx, input.id, input.reason);
      // This node's connection can only have closed meanwhile; another node's may not have been reached in time.
      const code = parseConnectionId(input.id).node === null ? 'NOT_FOUND' : 'TIMEOUT';
      if (refused !== null) throw new TRPCError({ code, message: `Connection ${input.id} is not closed: ${refused}.` });
      return { ok: true };
    }),
});
