import { z } from 'zod';
import type { ScheduledMessageInfo } from '../../broker/broker';
import { recordAudit } from '../audit';
import { objectName, vhostName } from '../inputs';
import { messageView } from '../message-view';
import { protectedProcedure, router } from '../trpc';
import { asBadRequest, searchQuery } from './search';

const exchangeRef = z.object({ vhost: vhostName, exchange: objectName.min(1, 'Give the exchange') });
const seqs = z.array(z.number().int().min(1)).min(1, 'Select at least one message').max(100_000);
const target = (i: { vhost: string; exchange: string }) => `scheduled messages of exchange '${i.exchange}' in vhost '${i.vhost}'`;

function view(exchange: string, m: ScheduledMessageInfo) {
  return { seq: m.seq, dueAt: m.dueAt, heldAt: m.heldAt, ...messageView({ ...m, exchange, redelivered: false }) };
}

/** Messages published with a delay (x-delay on x-delayed-message exchanges, x-deliver-at): list, cancel, deliver now, reschedule. */
export const scheduledRouter = router({
  /** Exchanges holding scheduled messages, with how many and the next due time. */
  areas: protectedProcedure
    .input(z.object({ vhost: vhostName.optional() }).default({}))
    .query(({ ctx, input }) => ctx.access.visible(ctx.services.broker.scheduled.list(input.vhost))),

  /** One page of an exchange's scheduled messages, sorted by due (or held) time, filtered by a search without regex and/or a queue they would reach. */
  list: protectedProcedure
    .input(
      exchangeRef.extend({
        sort: z.enum(['due', 'held']).default('due'),
        dir: z.enum(['asc', 'desc']).default('asc'),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(50),
        query: searchQuery.optional(),
        queue: objectName.optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { total, messages } = await ctx.services.broker.scheduled
        .messages(input.vhost, input.exchange, {
          sort: input.sort,
          dir: input.dir,
          offset: input.offset,
          limit: input.limit,
          query: input.query,
          queue: input.queue,
        })
        .catch(asBadRequest);
      return { total, messages: messages.map((m) => view(input.exchange, m)) };
    }),

  cancel: protectedProcedure.input(exchangeRef.extend({ seqs })).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.broker.scheduled.cancel(input.vhost, input.exchange, input.seqs);
    await recordAudit(ctx, { action: 'scheduled.cancel', target: target(input), details: { asked: input.seqs.length, ...result } });
    return result;
  }),

  deliverNow: protectedProcedure.input(exchangeRef.extend({ seqs })).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.broker.scheduled.deliverNow(input.vhost, input.exchange, input.seqs);
    await recordAudit(ctx, { action: 'scheduled.deliver-now', target: target(input), details: { asked: input.seqs.length, ...result } });
    return result;
  }),

  reschedule: protectedProcedure
    .input(exchangeRef.extend({ seq: z.number().int().min(1), dueAt: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.services.broker.scheduled.reschedule(input.vhost, input.exchange, input.seq, input.dueAt);
      await recordAudit(ctx, { action: 'scheduled.reschedule', target: target(input), details: { seq: input.seq, dueAt: input.dueAt, newSeq: result.seq } });
      return result;
    }),
});
