import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { SearchHit } from '../../broker/broker';
import { BrokerError } from '../../broker/errors';
import { objectName, queueRef, vhostName } from '../inputs';
import { messageView } from '../message-view';
import { protectedProcedure, router } from '../trpc';

/** A search as the console's Search panel sends it (see broker/search/search-types.ts). */
export const searchQuery = z
  .object({
    payload: z
      .object({ text: z.string().max(1000, 'Search for at most 1,000 characters'), regex: z.boolean().default(false), ignoreCase: z.boolean().default(false) })
      .optional(),
    json: z.array(z.string().max(1000)).max(20, 'At most 20 JSON path conditions').optional(),
    headers: z
      .array(z.object({ name: objectName.min(1, 'A header condition needs the header name'), value: z.string().max(1000) }))
      .max(20)
      .optional(),
    routingKey: objectName.optional(),
    messageId: objectName.optional(),
    correlationId: objectName.optional(),
    from: z.number().int().min(0).optional(),
    to: z.number().int().min(0).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'The time range ends before it starts: swap from and to',
    path: ['to'],
  });

export function hitView(hit: SearchHit) {
  return { seq: hit.seq, position: hit.position, time: hit.time, ...messageView(hit) };
}

/** A bad pattern, JSON path or range is the input's fault: 400 with the engine's words (position included). */
export function asBadRequest(error: unknown): never {
  if (error instanceof BrokerError && error.replyCode === 406) {
    // No cause: the engine-error middleware would turn it back into a 412.
    throw new TRPCError({ code: 'BAD_REQUEST', message: error.replyText.replace(/^PRECONDITION_FAILED - /, '') });
  }
  throw error;
}

const searchRef = z.object({ vhost: vhostName, id: z.number().int().min(1) });

/**
 * Searching reads only, so monitoring users may search too. A search belongs
 * to whoever started it: only they read its results or stop it.
 */
export const searchRouter = router({
  /** Starts searching a queue, dead-letter queue, retry tier (its amq.retry.… name) or stream; answers its progress at once. */
  start: protectedProcedure
    .input(queueRef.extend({ query: searchQuery, maxHits: z.number().int().min(1).max(10_000).default(1000) }))
    .query(({ ctx, input }) => {
      try {
        return ctx.services.broker.search.start({ vhost: input.vhost, name: input.name }, input.query, { maxHits: input.maxHits, owner: ctx.user.name });
      } catch (error) {
        return asBadRequest(error);
      }
    }),

  /** Progress and one page of what matched so far. */
  results: protectedProcedure
    .input(searchRef.extend({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) }))
    .query(({ ctx, input }) => {
      const search = ctx.services.broker.search;
      const owned = search.ownerOf(input.id) === ctx.user.name;
      const { progress, hits } = search.results(input.id, input.offset, input.limit);
      if (!owned || progress.vhost !== input.vhost)
        throw new TRPCError({ code: 'NOT_FOUND', message: `no search ${input.id} of yours in vhost '${input.vhost}'` });
      return { progress, hits: hits.map(hitView) };
    }),

  /** Stops one's own search after its current slice (a read: it changes nothing in the broker). */
  cancel: protectedProcedure.input(searchRef).query(({ ctx, input }) => {
    const search = ctx.services.broker.search;
    if (search.ownerOf(input.id) !== ctx.user.name)
      throw new TRPCError({ code: 'NOT_FOUND', message: `no search ${input.id} of yours in vhost '${input.vhost}'` });
    return { cancelled: search.cancel(input.id) };
  }),
});
