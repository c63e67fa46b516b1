import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { closeConnection } from '../changes';
import { toJsonSafe } from '../json-safe';
import { protectedProcedure, router } from '../trpc';

/** A client property as text: connection_name, product, version are what people look for. */
function prop(props: Record<string, unknown>, key: string): string {
  const v = props[key];
  return v === undefined || v === null ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

export const connectionsRouter = router({
  /** Every connection with its channels and their consumers. */
  list: protectedProcedure.query(({ ctx }) => {
    const { broker } = ctx.services;
    return ctx.access
      .visible(broker.listConnections())
      .filter((c) => c.protocol !== 'console')
      .map((c) => {
        const props = c.clientProperties;
        const connection = broker.getConnection(c.id);
        return {
          ...c,
          clientProperties: toJsonSafe(props),
          name: prop(props, 'connection_name'),
          product: prop(props, 'product'),
          version: prop(props, 'version'),
          platform: prop(props, 'platform'),
          ...ctx.services.brokerSampler.connectionRates(c.id),
          channelList: [...(connection?.channels.values() ?? [])].map((ch) => ({
            number: ch.number,
            prefetch: ch.prefetchCount,
            unacked: ch.unacked.size,
            flowing: ch.writable,
            consumers: [...ch.consumers.keys()],
          })),
        };
      });
  }),

  close: protectedProcedure
    .input(z.object({ id: z.string().min(1), reason: z.string().max(200).default('Closed from the Warren console') }))
    .mutation(async ({ ctx, input }) => {
      const connection = ctx.services.broker.getConnection(input.id);
      if (connection && !ctx.access.canChange(connection.vhost)) {
        throw new TRPCError({ code: 'FORBIDDEN', message: `User '${ctx.user.name}' has no permission on vhost '${connection.vhost}'.` });
      }
      if (!connection || !(await closeConnection(ctx, input.id, input.reason))) {
        throw new TRPCError({ code: 'NOT_FOUND', message: `Connection ${input.id} is no longer open.` });
      }
      return { ok: true };
    }),
});
