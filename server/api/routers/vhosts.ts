import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { FULL_PERMISSION } from '../../auth/users';
import type { Broker } from '../../broker/broker';
import { recordAudit } from '../audit';
import { vhostName } from '../inputs';
import { adminProcedure, protectedProcedure, router } from '../trpc';

/** What deleting a vhost takes with it: its queues (with their messages) and the exchanges made in it (not the built-in ones). */
function contents(broker: Broker, name: string) {
  const queues = broker.listQueueSummaries(name);
  const exchanges = broker.listExchanges(name).filter((e) => e.name !== '' && !e.name.startsWith('amq.'));
  return { queues: queues.length, messages: queues.reduce((n, q) => n + q.ready + q.unacked, 0), exchanges: exchanges.length };
}

export const vhostsRouter = router({
  /** The vhosts the user sees, with how many queues, messages and exchanges each holds. */
  list: protectedProcedure.query(({ ctx }) => {
    const { broker } = ctx.services;
    return ctx.access.visibleVhosts(broker.listVhosts()).map((name) => ({ name, ...contents(broker, name) }));
  }),

  /** A new vhost; the administrator who makes it gets every permission on it, as RabbitMQ's management does. */
  create: adminProcedure
    .input(z.object({ name: vhostName.trim().regex(/^[^\s]+$/, 'A vhost name has no spaces, e.g. /orders or staging') }))
    .mutation(async ({ ctx, input }) => {
      const { broker, users } = ctx.services;
      if (broker.hasVhost(input.name)) throw new TRPCError({ code: 'CONFLICT', message: `A vhost named '${input.name}' exists already: choose another name.` });
      broker.createVhost(input.name);
      await broker.stored(); // its row exists before a permission refers to it
      await users.setPermission(ctx.user.name, input.name, FULL_PERMISSION);
      await recordAudit(ctx, { action: 'vhost.create', target: `vhost '${input.name}'`, details: { permissionFor: ctx.user.name } });
      return { ok: true };
    }),

  /** Deletes a vhost with its queues, messages, exchanges, policies and permissions; its connections are closed. */
  delete: adminProcedure.input(z.object({ name: vhostName })).mutation(async ({ ctx, input }) => {
    const { broker } = ctx.services;
    const lost = contents(broker, input.name);
    broker.deleteVhost(input.name);
    await recordAudit(ctx, { action: 'vhost.delete', target: `vhost '${input.name}'`, details: lost });
    return lost;
  }),
});
