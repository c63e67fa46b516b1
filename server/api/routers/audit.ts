import { z } from 'zod';
import { recentAudit } from '../audit';
import { overviewProcedure, router } from '../trpc';

export const auditRouter = router({
  /** The newest audit entries first. */
  list: overviewProcedure
    .input(z.object({ limit: z.number().int().min(1).max(1000).default(100) }))
    .query(({ ctx, input }) => recentAudit(ctx.services, input.limit)),
});
