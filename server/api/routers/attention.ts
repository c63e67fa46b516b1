import { needsAttention } from '../../attention/gather';
import { protectedProcedure, router } from '../trpc';

/** The rows a list shows at most: past these, the first ones are what matters. */
const MAX_ROWS = 50;

export const attentionRouter = router({
  /** What is wrong now in the user's vhosts, worst first, one row per object (rules in server/attention/), at most 50. */
  now: protectedProcedure.query(({ ctx }) => {
    const rows = needsAttention(ctx.services, ctx.access.canSee);
    return { rows: rows.slice(0, MAX_ROWS), total: rows.length };
  }),
});
