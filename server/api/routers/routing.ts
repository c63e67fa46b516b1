import { z } from 'zod';
import { vhostName } from '../inputs';
import { toJsonSafe } from '../json-safe';
import { protectedProcedure, router } from '../trpc';

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const routingRouter = router({
  /**
   * One vhost's topology for the routing graph: exchanges with their alternate,
   * queues with their dead-letter target and retry tiers (declared or by policy), and every explicit
   * binding (the default exchange's implicit ones are left out: one per queue).
   */
  graph: protectedProcedure.input(z.object({ vhost: vhostName })).query(({ ctx, input }) => {
    const { broker } = ctx.services;
    const exchanges = broker.listExchanges(input.vhost).map((e) => ({
      name: e.name,
      type: e.type,
      internal: e.internal,
      alternateExchange: e.alternateExchange,
    }));
    const retries = new Map(broker.retries.list(input.vhost).map((r) => [r.queue, r]));
    const queues = broker.listQueues(input.vhost).map((q) => {
      const retry = retries.get(q.name);
      const args = q.effectiveArguments;
      return {
        name: q.name,
        type: q.type,
        ready: q.ready,
        deadLetterExchange: text(args['x-dead-letter-exchange']),
        deadLetterRoutingKey: text(args['x-dead-letter-routing-key']),
        /** Native retry tiers (declared or by policy); a TTL chain shows as its own queues and dead-letter edges. */
        retryTiers: retry?.source === 'x-retry-tiers' || retry?.source === 'policy' ? retry.tiers.map((t) => t.label) : [],
      };
    });
    const bindings = broker
      .listBindings(input.vhost)
      .filter((b) => b.source !== '')
      .map((b) => ({
        source: b.source,
        destination: b.destination,
        destinationType: b.destinationType,
        routingKey: b.routingKey,
        arguments: toJsonSafe(b.arguments) as Record<string, string | number | boolean>,
      }));
    return { exchanges, queues, bindings };
  }),
});
