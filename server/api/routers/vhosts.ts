import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { createVhost, deleteVhost, vhostContents } from '../changes';
import { vhostName } from '../inputs';
import { adminProcedure, protectedProcedure, router } from '../trpc';

export const vhostsRouter = router({
  /** The vhosts the user sees, with how many queues, messages and exchanges each holds. */
  list: protectedProcedure.query(({ ctx }) => {
    const { broker } = ctx.services;
    return ctx.access.visibleVhosts(broker.listVhosts()).map((name) => ({ name, ...vhostContents(broker, name) }));
  }),

  /** A new vhost, with every permission on it for the administrator who makes it. */
  create: adminProcedure
    .input(z.object({ name: vhostName.trim().regex(/^[^\s]+$/, 'A vhost name has no spaces, e.g. /orders or staging') }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.services.broker.hasVhost(input.name))
        throw new TRPCError({ code: 'CONFLICT', message: `A vhost named '${input.name}' exists already: choose another name.` });
      await createVhost(ctx, input.name);
      return { ok: true };
    }),

  /** Deletes a vhost with its queues, messages, exchanges, policies and permissions; its connections are closed. */
  delete: adminProcedure.input(z.object({ name: vhostName })).mutation(({ ctx, input }) => deleteVhost(ctx, input.name)),
});
