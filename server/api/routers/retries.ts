import { z } from 'zod';
import { queueRef } from '../inputs';
import { messageView } from '../message-view';
import { protectedProcedure, router } from '../trpc';

export const retriesRouter = router({
  /** Every queue with retry tiers (x-retry-tiers, or a recognised TTL chain), with per-tier counts and due times. */
  list: protectedProcedure
    .input(z.object({ vhost: z.string().min(1).optional() }).default({}))
    .query(({ ctx, input }) => ctx.services.broker.retries.list(input.vhost)),

  /** One queue's tiers (an empty list when it has none). */
  get: protectedProcedure.input(queueRef).query(({ ctx, input }) => ctx.services.broker.retries.get(input.vhost, input.name)),

  /** The messages waiting in one tier, due first first, without taking them. */
  browseTier: protectedProcedure
    .input(
      queueRef.extend({
        tier: z.number().int().min(0, 'Tiers are numbered from 0'),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      ctx.services.broker.retries
        .browseTier(input.vhost, input.name, input.tier, { offset: input.offset, limit: input.limit })
        .map((m) => ({
          position: m.position,
          seq: m.seq,
          attempt: m.attempt,
          heldSince: m.heldSince,
          dueAt: m.dueAt,
          ...messageView({ ...m, redelivered: false }),
        })),
    ),
});
