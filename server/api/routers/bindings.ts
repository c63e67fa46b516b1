import { z } from 'zod';
import type { Broker } from '../../broker/broker';
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

type BindingInput = z.infer<typeof bindingInput>;

function bind(broker: Broker, b: BindingInput): void {
  if (b.destinationType === 'queue') broker.bindQueue(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
  else broker.bindExchange(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
}

function unbind(broker: Broker, b: BindingInput): void {
  if (b.destinationType === 'queue') broker.unbindQueue(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
  else broker.unbindExchange(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
}

export const bindingsRouter = router({
  list: protectedProcedure
    .input(z.object({ vhost: z.string().optional() }))
    .query(({ ctx, input }) => ctx.access.visible(ctx.services.broker.listBindings(input.vhost)).map((b) => ({ ...b, arguments: b.arguments as Record<string, unknown> }))),

  add: protectedProcedure.input(bindingInput).mutation(async ({ ctx, input }) => {
    bind(ctx.services.broker, input);
    await recordAudit(ctx, { action: 'binding.add', target: describe(input), details: { arguments: input.arguments } });
    return { ok: true };
  }),

  /**
   * Replaces a binding's key and arguments, recorded as one change. The new
   * binding is made first, so a refused key leaves the old one in place.
   */
  update: protectedProcedure
    .input(bindingInput.extend({ oldRoutingKey: shortString('The old routing key'), oldArguments: bindingInput.shape.arguments }))
    .mutation(async ({ ctx, input }) => {
      const { oldRoutingKey, oldArguments, ...next } = input;
      const old = { ...next, routingKey: oldRoutingKey, arguments: oldArguments };
      bind(ctx.services.broker, next);
      if (oldRoutingKey !== next.routingKey || JSON.stringify(oldArguments) !== JSON.stringify(next.arguments)) unbind(ctx.services.broker, old);
      await recordAudit(ctx, {
        action: 'binding.update',
        target: describe(old),
        details: { oldKey: oldRoutingKey, newKey: next.routingKey, oldArguments, newArguments: next.arguments },
      });
      return { ok: true };
    }),

  remove: protectedProcedure.input(bindingInput).mutation(async ({ ctx, input }) => {
    unbind(ctx.services.broker, input);
    await recordAudit(ctx, { action: 'binding.remove', target: describe(input) });
    return { ok: true };
  }),
});
