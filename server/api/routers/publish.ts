import { z } from 'zod';
import { headerRows, headersFromRows, messageProperties, objectName, shortString, vhostName } from '../inputs';
import { toJsonSafe } from '../json-safe';
import { protectedProcedure, router } from '../trpc';

const publishInput = z.object({
  vhost: vhostName,
  exchange: objectName,
  routingKey: shortString('The routing key').default(''),
  headers: headerRows,
});

export const publishRouter = router({
  /** Where a message would go, binding by binding, without publishing it. */
  trace: protectedProcedure.input(publishInput).query(({ ctx, input }) => {
    const t = ctx.services.broker.trace(input.vhost, input.exchange, input.routingKey, headersFromRows(input.headers));
    return { ...t, steps: t.steps.map((s) => ({ ...s, binding: s.binding && { ...s.binding, arguments: toJsonSafe(s.binding.arguments) } })) };
  }),

  /** Publishes one message as a client would, and says where it went. */
  send: protectedProcedure
    .input(publishInput.extend({ payload: z.string().max(16 * 1024 * 1024), properties: messageProperties, mandatory: z.boolean().default(true) }))
    .mutation(({ ctx, input }) => {
      const { broker } = ctx.services;
      const headers = headersFromRows(input.headers);
      const route = broker.trace(input.vhost, input.exchange, input.routingKey, headers);
      const result = broker.publish(
        input.vhost,
        input.exchange,
        input.routingKey,
        { ...input.properties, headers },
        Buffer.from(input.payload, 'utf8'),
        {
          mandatory: input.mandatory,
        },
        { by: ctx.user.name },
      );
      return { routed: result.routed, queues: route.queues, returned: input.mandatory && result.unroutable, confirm: result.confirm };
    }),
});
