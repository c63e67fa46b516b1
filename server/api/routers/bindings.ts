import { z } from 'zod';
import { addBinding, removeBinding, updateBinding } from '../changes';
import { objectName, shortString, vhostName } from '../inputs';
import { protectedProcedure, router } from '../trpc';

const bindingInput = z.object({
  vhost: vhostName,
  source: objectName.min(1, 'Choose the exchange to bind from (the default exchange cannot be bound)'),
  destination: objectName.min(1, 'Give the queue or exchange to bind to'),
  destinationType: z.enum(['queue', 'exchange']),
  routingKey: shortString('The routing key').default(''),
  arguments: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export const bindingsRouter = router({
  list: protectedProcedure
    .input(z.object({ vhost: z.string().optional() }))
    .query(({ ctx, input }) =>
      ctx.access.visible(ctx.services.broker.listBindings(input.vhost)).map((b) => ({ ...b, arguments: b.arguments as Record<string, unknown> })),
    ),

  add: protectedProcedure.input(bindingInput).mutation(async ({ ctx, input }) => {
    await addBinding(ctx, input);
    return { ok: true };
  }),

  /** Replaces a binding's key and arguments, recorded as one change (changes.ts updateBinding). */
  update: protectedProcedure
    .input(bindingInput.extend({ oldRoutingKey: shortString('The old routing key'), oldArguments: bindingInput.shape.arguments }))
    .mutation(async ({ ctx, input }) => {
      const { oldRoutingKey, oldArguments, ...next } = input;
      await updateBinding(ctx, { ...next, routingKey: oldRoutingKey, arguments: oldArguments }, next);
      return { ok: true };
    }),

  remove: protectedProcedure.input(bindingInput).mutation(async ({ ctx, input }) => {
    await removeBinding(ctx, input);
    return { ok: true };
  }),
});
