import { z } from 'zod';
import { findJourneys } from '../../journey/journey-search';
import { recordAudit } from '../audit';
import { objectName, vhostName } from '../inputs';
import { protectedProcedure, router } from '../trpc';

const tracingTarget = (vhost: string, queue: string | null) => (queue === null ? `vhost '${vhost}'` : `queue '${queue}' in vhost '${vhost}'`);

/** Message journeys: the trace log searched (monitoring users may look), and tracing turned on or off (management, administrator). */
export const journeysRouter = router({
  /** The journeys of the messages a message id, correlation id, header name=value or broker id picks, newest first. */
  find: protectedProcedure
    .input(
      z.object({ vhost: vhostName, text: z.string().trim().min(1, 'Type a message id, a correlation id, a header as name=value, or a broker id').max(1000) }),
    )
    .query(({ ctx, input }) => {
      const log = ctx.services.journeys;
      return {
        kept: log !== undefined,
        journeys: log === undefined ? [] : findJourneys(log.events(), input.vhost, input.text),
      };
    }),

  /** Whether the vhost is traced as a whole, and which of its queues are traced on their own. */
  tracing: protectedProcedure.input(z.object({ vhost: vhostName })).query(({ ctx, input }) => ctx.services.broker.journeys.state(input.vhost)),

  /** Turns tracing on or off for a vhost, or one queue of it (`queue`); kept across restarts. */
  setTracing: protectedProcedure
    .input(z.object({ vhost: vhostName, queue: objectName.min(1, 'Give a queue name, or leave it out for the whole vhost').optional(), on: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const queue = input.queue ?? null;
      ctx.services.broker.journeys.setTracing(input.vhost, queue, input.on);
      await recordAudit(ctx, { action: input.on ? 'journeys.trace-on' : 'journeys.trace-off', target: tracingTarget(input.vhost, queue) });
      return ctx.services.broker.journeys.state(input.vhost);
    }),
});
