import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { DeadLetter } from '../../broker/types';
import { recordAudit } from '../audit';
import { deadLetterQueues } from '../dead-letter-queues';
import { objectName, queueRef } from '../inputs';
import { messageView } from '../message-view';
import { protectedProcedure, router } from '../trpc';

const filter = z
  .object({
    reason: z.enum(['rejected', 'expired', 'maxlen', 'delivery_limit']).optional(),
    originalQueue: objectName.optional(),
    from: z.number().int().min(0).optional(),
    to: z.number().int().min(0).optional(),
    text: z.string().max(1000, 'Search for at most 1,000 characters').optional(),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: 'The time range ends before it starts: swap from and to',
    path: ['to'],
  });

/** Explicit messages (their seq as listed), or every message matching a filter. */
const selection = z.union([z.object({ seqs: z.array(z.number().int().min(1)).min(1, 'Select at least one message').max(100_000) }), z.object({ filter })]);

/** A dead letter with its payload. */
function view(letter: DeadLetter) {
  const { seq, position, reason, originalQueue, originalExchange, routingKeys, attempts, deaths, firstDeathAt, lastDeathAt } = letter;
  return {
    seq,
    position,
    reason,
    originalQueue,
    originalExchange,
    routingKeys,
    attempts,
    deaths,
    firstDeathAt,
    lastDeathAt,
    ...messageView({ ...letter, redelivered: false }),
  };
}

/** A dead letter as listed: everything but the payload, which the console asks for once, when it opens the message (`message`). */
function listed(letter: DeadLetter) {
  const { payloadBase64: _payload, ...rest } = view({ ...letter, body: EMPTY });
  return { ...rest, sizeBytes: letter.body.length };
}
const EMPTY = Buffer.alloc(0);

const target = (q: { vhost: string; name: string }) => `queue '${q.name}' in vhost '${q.vhost}'`;

export const deadLettersRouter = router({
  /** Queues that hold dead letters (dead-letter-queues.ts says which), with their depth. */
  queues: protectedProcedure.input(z.object({ vhost: z.string().min(1).optional() }).default({})).query(({ ctx, input }) => {
    const { broker } = ctx.services;
    return deadLetterQueues(broker, ctx.access.visible(broker.listQueues(input.vhost)), input.vhost)
      .map((q) => ({ vhost: q.vhost, name: q.name, ready: q.ready }))
      .sort((a, b) => b.ready - a.ready || a.name.localeCompare(b.name));
  }),

  /** One page of a dead-letter queue, filtered, with how many messages match in all. */
  list: protectedProcedure
    .input(queueRef.extend({ filter: filter.default({}), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) }))
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.broker.deadLetters.list(input.vhost, input.name, input);
      return { total: page.total, messages: page.messages.map(listed) };
    }),

  /** One dead letter with its payload (a message never changes: the console asks once). 404 when it left the queue. */
  message: protectedProcedure.input(queueRef.extend({ seq: z.number().int().min(1) })).query(async ({ ctx, input }) => {
    const [letter] = await ctx.services.broker.deadLetters.export(input.vhost, input.name, { seqs: [input.seq] });
    if (letter === undefined)
      throw new TRPCError({ code: 'NOT_FOUND', message: `message ${input.seq} is no longer in ${target(input)}: it was requeued or deleted` });
    return view(letter);
  }),

  /** Puts the selected messages back at the tail of the queue each died in (or `to`); skipped ones stay. */
  requeue: protectedProcedure
    .input(queueRef.extend({ selection, to: objectName.min(1).optional(), resetAttempts: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      if (input.to === input.name) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Choose a queue other than the dead-letter queue itself.' });
      const result = await ctx.services.broker.deadLetters.requeue(input.vhost, input.name, input.selection, {
        to: input.to,
        resetAttempts: input.resetAttempts,
      });
      await recordAudit(ctx, {
        action: 'dead-letters.requeue',
        target: target(input),
        details: { ...result, to: input.to ?? 'original queues', resetAttempts: input.resetAttempts },
      });
      return result;
    }),

  /** Deletes the selected messages for good. */
  delete: protectedProcedure.input(queueRef.extend({ selection })).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.broker.deadLetters.delete(input.vhost, input.name, input.selection);
    await recordAudit(ctx, { action: 'dead-letters.delete', target: target(input), details: result });
    return result;
  }),

  /** The selected messages as JSON lines (one message per line, payload in base64); they stay in the queue. */
  export: protectedProcedure.input(queueRef.extend({ selection })).query(async ({ ctx, input }) => {
    const letters = await ctx.services.broker.deadLetters.export(input.vhost, input.name, input.selection);
    return { count: letters.length, jsonl: letters.map((l) => `${JSON.stringify(view(l))}\n`).join('') };
  }),
});
