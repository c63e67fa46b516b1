import { z } from 'zod';
import { recordAudit } from '../audit';
import { vhostName } from '../inputs';
import { protectedProcedure, router } from '../trpc';

/** The console's long operations (moves, purges, dead-letter requeues): progress and cancel. */
export const operationsRouter = router({
  /** Running operations first, then recently ended ones, on the vhosts the user sees. */
  list: protectedProcedure.query(({ ctx }) => ctx.access.visible(ctx.services.broker.operations.list())),

  /** Stops an operation after its current slice; what it already did stays done. */
  cancel: protectedProcedure.input(z.object({ vhost: vhostName, id: z.number().int().min(1) })).mutation(async ({ ctx, input }) => {
    const operation = ctx.services.broker.operations.list().find((o) => o.id === input.id && o.vhost === input.vhost);
    const cancelled = operation?.state === 'running' && ctx.services.broker.operations.cancel(input.id);
    if (cancelled) {
      await recordAudit(ctx, {
        action: 'operation.cancel',
        target: `${operation.kind} of queue '${operation.queue}' in vhost '${input.vhost}'`,
        details: { done: operation.done, total: operation.total },
      });
    }
    return { cancelled };
  }),
});
