import { z } from 'zod';
import type { MessageSelection } from '../../broker/broker';
import { recordAudit } from '../audit';
import { headerRows, headersFromRows, objectName, queueRef } from '../inputs';
import { protectedProcedure, router } from '../trpc';
import { asBadRequest, searchQuery } from './search';

/** Explicit messages (their seq as browsed or found), or every message matching a search. */
const selection = z.union([
  z.object({ seqs: z.array(z.number().int().min(1)).min(1, 'Select at least one message').max(100_000) }),
  z.object({ query: searchQuery }),
]);

const target = (q: { vhost: string; name: string }) => `queue '${q.name}' in vhost '${q.vhost}'`;

/** What was selected, for the audit log: how many seqs, or the search. */
const selected = (s: MessageSelection) => ('seqs' in s ? { seqs: s.seqs.length <= 20 ? s.seqs : `${s.seqs.length} messages` } : { query: s.query });

const otherQueue = queueRef.extend({ to: objectName.min(1, 'Give the queue to move or copy to'), selection }).refine((i) => i.to !== i.name, {
  message: 'Choose a different queue to move or copy the messages to.',
  path: ['to'],
});

/** The console's precise operations on a queue's messages; each is confirmed in the console first, and audited here. */
export const messagesRouter = router({
  purgeFirst: protectedProcedure.input(queueRef.extend({ count: z.number().int().min(1, 'Purge at least one message') })).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.broker.queueTools.purgeFirst(input.vhost, input.name, input.count, ctx.user.name);
    await recordAudit(ctx, { action: 'queue.purge-first', target: target(input), details: { asked: input.count, ...result } });
    return result;
  }),

  delete: protectedProcedure.input(queueRef.extend({ selection })).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.broker.queueTools.delete(input.vhost, input.name, input.selection, ctx.user.name).catch(asBadRequest);
    await recordAudit(ctx, { action: 'messages.delete', target: target(input), details: { ...selected(input.selection), ...result } });
    return result;
  }),

  move: protectedProcedure.input(otherQueue).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.broker.queueTools.move(input.vhost, input.name, input.to, input.selection, ctx.user.name).catch(asBadRequest);
    await recordAudit(ctx, { action: 'messages.move', target: target(input), details: { to: input.to, ...selected(input.selection), ...result } });
    return result;
  }),

  copy: protectedProcedure.input(otherQueue).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.broker.queueTools.copy(input.vhost, input.name, input.to, input.selection, ctx.user.name).catch(asBadRequest);
    await recordAudit(ctx, { action: 'messages.copy', target: target(input), details: { to: input.to, ...selected(input.selection), ...result } });
    return result;
  }),

  /** Publishes an edited copy as a new message (headers x-warren-edited-from/-queue link it to the original), then removes the original unless kept. */
  republish: protectedProcedure
    .input(
      queueRef.extend({
        seq: z.number().int().min(1),
        payload: z
          .string()
          .max(16 * 1024 * 1024)
          .optional(),
        headers: headerRows.optional(),
        exchange: objectName.optional(),
        routingKey: objectName.optional(),
        removeOriginal: z.boolean().default(true),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.services.broker.queueTools.republishEdited(
        input.vhost,
        input.name,
        input.seq,
        {
          body: input.payload === undefined ? undefined : Buffer.from(input.payload, 'utf8'),
          headers: input.headers === undefined ? undefined : headersFromRows(input.headers),
          exchange: input.exchange,
          routingKey: input.routingKey,
          removeOriginal: input.removeOriginal,
        },
        ctx.user.name,
      );
      await recordAudit(ctx, {
        action: 'message.edit-republish',
        target: target(input),
        details: { seq: input.seq, exchange: input.exchange ?? null, routingKey: input.routingKey ?? null, ...result },
      });
      return result;
    }),

  pause: protectedProcedure.input(queueRef).mutation(async ({ ctx, input }) => {
    ctx.services.broker.queueTools.pause(input.vhost, input.name);
    await recordAudit(ctx, { action: 'queue.pause', target: target(input) });
    return { paused: true };
  }),

  resume: protectedProcedure.input(queueRef).mutation(async ({ ctx, input }) => {
    ctx.services.broker.queueTools.resume(input.vhost, input.name);
    await recordAudit(ctx, { action: 'queue.resume', target: target(input) });
    return { paused: false };
  }),
});
