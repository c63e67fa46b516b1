import { z } from 'zod';
import { recordAudit } from '../audit';
import { objectName, queueRef } from '../inputs';
import { messageView } from '../message-view';
import { protectedProcedure, router } from '../trpc';

/** Where to read from or reset to: first, last, next, an offset, or a time (epoch ms). */
const position = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('first') }),
  z.object({ kind: z.literal('last') }),
  z.object({ kind: z.literal('next') }),
  z.object({ kind: z.literal('offset'), offset: z.number().int().min(0, 'Offsets start at 0') }),
  z.object({ kind: z.literal('timestamp'), at: z.number().int().min(0, 'Give a time as epoch milliseconds') }),
]);

export const streamsRouter = router({
  /** Every stream: messages, bytes, segments, first/last offset and time, published and delivered counts (sample them for rates). */
  list: protectedProcedure
    .input(z.object({ vhost: z.string().min(1).optional() }).default({}))
    .query(({ ctx, input }) => ctx.access.visible(ctx.services.broker.streams.list(input.vhost))),

  /** One stream with its consumer groups and their lag. */
  get: protectedProcedure.input(queueRef).query(({ ctx, input }) => {
    const streams = ctx.services.broker.streams;
    return { ...streams.get(input.vhost, input.name), groupList: streams.groups(input.vhost, input.name) };
  }),

  /** A page of messages from a position; previousOffset and nextOffset page back and on. */
  read: protectedProcedure
    .input(queueRef.extend({ from: position.default({ kind: 'first' }), limit: z.number().int().min(1).max(500).default(50) }))
    .query(({ ctx, input }) => {
      const page = ctx.services.broker.streams.read(input.vhost, input.name, input.from, input.limit);
      return {
        ...page,
        messages: page.messages.map((m) => ({ offset: m.offset, timestamp: m.timestamp, ...messageView({ ...m, redelivered: false }) })),
      };
    }),

  /** Consumer groups: committed offset, consumers, lag in messages, bytes and milliseconds. */
  groups: protectedProcedure.input(queueRef).query(({ ctx, input }) => ctx.services.broker.streams.groups(input.vhost, input.name)),

  /** A group's lag (messages, bytes, ms) once a second over the last 15 minutes, oldest first; `since` in epoch ms. */
  lagHistory: protectedProcedure
    .input(queueRef.extend({ group: objectName.min(1, 'Give the group name'), since: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => ctx.services.broker.streams.lagHistory(input.vhost, input.name, input.group, input.since)),

  /** Moves a group to resume at a position; refused while one of its consumers is connected. */
  resetGroup: protectedProcedure.input(queueRef.extend({ group: objectName.min(1, 'Give the group name'), to: position })).mutation(async ({ ctx, input }) => {
    const resumeAt = ctx.services.broker.streams.resetGroup(input.vhost, input.name, input.group, input.to);
    await recordAudit(ctx, {
      action: 'stream.reset-group',
      target: `group '${input.group}' of stream '${input.name}' in vhost '${input.vhost}'`,
      details: { to: input.to, resumeAt },
    });
    return { resumeAt };
  }),
});
