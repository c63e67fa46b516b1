import { z } from 'zod';
import { deleteExchange } from '../changes';
import { objectName, shortString, vhostName } from '../inputs';
import { protectedProcedure, router } from '../trpc';

const exchangeRef = z.object({ vhost: vhostName, name: objectName });

export const exchangesRouter = router({
  list: protectedProcedure
    .input(z.object({ vhost: z.string().optional() }))
    .query(({ ctx, input }) =>
      ctx.access
        .visible(ctx.services.broker.listExchanges(input.vhost))
        .map((e) => ({ ...e, arguments: e.arguments as Record<string, unknown>, rates: ctx.services.brokerSampler.exchangeRates(e.vhost, e.name) })),
    ),

  /** One exchange with the bindings that leave it and those that arrive at it. */
  get: protectedProcedure.input(exchangeRef).query(({ ctx, input }) => {
    const { broker } = ctx.services;
    const e = broker.getExchange(input.vhost, input.name);
    const bindings = broker.listBindings(input.vhost).map((b) => ({ ...b, arguments: b.arguments as Record<string, unknown> }));
    return {
      ...e,
      arguments: e.arguments as Record<string, unknown>,
      outgoing: bindings.filter((b) => b.source === input.name),
      incoming: bindings.filter((b) => b.destinationType === 'exchange' && b.destination === input.name),
    };
  }),

  declare: protectedProcedure
    .input(
      exchangeRef.extend({
        name: objectName.min(1, 'Give the exchange a name'),
        type: z.enum(['direct', 'fanout', 'topic', 'headers']),
        durable: z.boolean().default(true),
        autoDelete: z.boolean().default(false),
        internal: z.boolean().default(false),
        alternateExchange: shortString('The alternate exchange').optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      ctx.services.broker.declareExchange(input.vhost, input.name, input.type, {
        durable: input.durable,
        autoDelete: input.autoDelete,
        internal: input.internal,
        arguments: input.alternateExchange ? { 'alternate-exchange': input.alternateExchange } : {},
      });
      return { ok: true };
    }),

  delete: protectedProcedure.input(exchangeRef.extend({ ifUnused: z.boolean().default(false) })).mutation(async ({ ctx, input }) => {
    await deleteExchange(ctx, input.vhost, input.name, { ifUnused: input.ifUnused });
    return { ok: true };
  }),
});
