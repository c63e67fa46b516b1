import { z } from 'zod';
import { recordAudit } from '../audit';
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

const describe = (b: z.infer<typeof bindingInput>) =>
  `binding from exchange '${b.source}' to ${b.destinationType} '${b.destination}' with key '${b.routingKey}' in vhost '${b.vhost}'`;

export const bindingsRouter = router({
  list: protectedProcedure
    .input(z.object({ vhost: z.string().optional() }))
    .query(({ ctx, input }) => ctx.access.visible(ctx.services.broker.listBindings(input.vhost)).map((b) => ({ ...b, arguments: b.arguments as Record<string, unknown> }))),

  add: protectedProcedure.input(bindingInput).mutation(({ ctx, input }) => {
    const { broker } = ctx.services;
    if (input.destinationType === 'queue') broker.bindQueue(input.vhost, input.destination, input.source, input.routingKey, input.arguments);
    else broker.bindExchange(input.vhost, input.destination, input.source, input.routingKey, input.arguments);
    return { ok: true };
  }),

  remove: protectedProcedure.input(bindingInput).mutation(async ({ ctx, input }) => {
    const { broker } = ctx.services;
    if (input.destinationType === 'queue') broker.unbindQueue(input.vhost, input.destination, input.source, input.routingKey, input.arguments);
    else broker.unbindExchange(input.vhost, input.destination, input.source, input.routingKey, input.arguments);
    await recordAudit(ctx, { action: 'binding.remove', target: describe(input) });
    return { ok: true };
  }),
});
