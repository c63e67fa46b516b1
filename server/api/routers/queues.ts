import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { QueueSummary } from '../../broker/types';
import { recordAudit } from '../audit';
import { deleteQueue, purgeQueue, takeMessages } from '../changes';
import { headerRows, headersFromRows, messageProperties, objectName, queueRef } from '../inputs';
import { messageView } from '../message-view';
import { nameMatcher } from '../name-filter';
import { protectedProcedure, router } from '../trpc';

import { QUEUE_SORT_COLUMNS } from './queue-sort';

const listInput = z.object({
  vhost: z.string().optional(),
  /** Name filter, ignoring case: a substring, or a regular expression when `regex` is set (linear-time subset, see broker/patterns). */
  filter: z.string().max(200).default(''),
  regex: z.boolean().default(false),
  sort: z.enum(QUEUE_SORT_COLUMNS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});

const target = (q: { vhost: string; name: string }) => `queue '${q.name}' in vhost '${q.vhost}'`;

export const queuesRouter = router({
  /** One page of the queue table, filtered and sorted on the server. */
  list: protectedProcedure.input(listInput).query(({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    const matches = nameMatcher(input.filter, input.regex, 'queue filter', 'queues');
    // Sort keys are computed once per queue; the page's rows alone get their full shape and sparkline.
    const sortKey = (q: QueueSummary): string | number => {
      switch (input.sort) {
        case 'incoming':
        case 'deliver':
        case 'ack':
          return brokerSampler.queueRates(q.vhost, q.name)[input.sort];
        case 'bytes':
          return q.readyBytes;
        case 'total':
          return q.ready + q.unacked;
        default:
          return q[input.sort];
      }
    };
    const keyed: { q: QueueSummary; key: string | number }[] = [];
    for (const q of ctx.access.visible(broker.listQueueSummaries(input.vhost))) if (matches(q.name)) keyed.push({ q, key: sortKey(q) });
    const sign = input.dir === 'asc' ? 1 : -1;
    // Plain code-unit comparison: locale collation costs too much across 10,000 names.
    const compare = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
    keyed.sort((a, b) => sign * compare(a.key, b.key) || compare(a.q.name, b.q.name));
    const rows = keyed.slice(input.offset, input.offset + input.limit).map(({ q: summary }) => {
      const q = broker.getQueue(summary.vhost, summary.name);
      return {
        ...q,
        arguments: q.arguments as Record<string, unknown>,
        effectiveArguments: q.effectiveArguments as Record<string, unknown>,
        total: q.ready + q.unacked,
        ...brokerSampler.queueSeries(q.vhost, q.name),
      };
    });
    return { total: keyed.length, rows };
  }),

  /** One queue: stats, rates, recent depth, consumers and bindings. */
  get: protectedProcedure.input(queueRef).query(({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    const q = broker.getQueue(input.vhost, input.name);
    return {
      ...q,
      arguments: q.arguments as Record<string, unknown>,
      effectiveArguments: q.effectiveArguments as Record<string, unknown>,
      /** The policy that applies, with its definition (what it sets beside the arguments). */
      policy: q.policy === null ? null : broker.policy(q.vhost, q.policy),
      ...brokerSampler.queueSeries(q.vhost, q.name),
      consumers: broker.listConsumers(input.vhost).filter((c) => c.queue === input.name),
      bindings: broker
        .listBindings(input.vhost)
        .filter((b) => b.destinationType === 'queue' && b.destination === input.name)
        .map((b) => ({ ...b, arguments: b.arguments as Record<string, unknown> })),
    };
  }),

  /** The first messages of a queue, without consuming or reordering them. */
  browse: protectedProcedure
    .input(queueRef.extend({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(20) }))
    .query(({ ctx, input }) =>
      ctx.services.broker.browseQueue(input.vhost, input.name, { offset: input.offset, limit: input.limit }).map((m) => ({
        position: m.position,
        brokerId: m.brokerId,
        deliveryCount: m.deliveryCount,
        expiresAt: m.expiresAt,
        ...messageView(m),
      })),
    ),

  /** Takes up to `count` messages off the head: removed for good (`ack`) or put back marked redelivered (`requeue`). */
  getMessages: protectedProcedure
    .input(queueRef.extend({ count: z.number().int().min(1).max(100), mode: z.enum(['ack', 'requeue']) }))
    .mutation(async ({ ctx, input }) => {
      const taken = await takeMessages(ctx, input.vhost, input.name, input.count, input.mode);
      // Deliveries read `redelivered` through a getter, which a spread would not copy.
      return taken.map((d) => ({
        ...messageView({ exchange: d.exchange, routingKey: d.routingKey, redelivered: d.redelivered, ...d.message }),
        messageCount: d.messageCount,
      }));
    }),

  purge: protectedProcedure.input(queueRef).mutation(async ({ ctx, input }) => {
    return { purged: await purgeQueue(ctx, input.vhost, input.name) };
  }),

  delete: protectedProcedure
    .input(queueRef.extend({ ifUnused: z.boolean().default(false), ifEmpty: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      return { messagesLost: await deleteQueue(ctx, input.vhost, input.name, { ifUnused: input.ifUnused, ifEmpty: input.ifEmpty }) };
    }),

  move: protectedProcedure
    .input(queueRef.extend({ to: objectName.min(1, 'Give the queue to move to'), count: z.union([z.literal('all'), z.number().int().min(1)]) }))
    .mutation(async ({ ctx, input }) => {
      if (input.to === input.name) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Choose a different queue to move the messages to.' });
      const moved = await ctx.services.broker.moveMessages(input.vhost, input.name, input.to, input.count, ctx.user.name);
      await recordAudit(ctx, { action: 'queue.move', target: target(input), details: { to: input.to, moved } });
      return { moved };
    }),

  declare: protectedProcedure
    .input(
      queueRef.extend({
        durable: z.boolean().default(true),
        autoDelete: z.boolean().default(false),
        arguments: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.broker.declareQueue(input.vhost, input.name, { durable: input.durable, autoDelete: input.autoDelete, arguments: input.arguments }),
    ),

  /** Publishes one message straight to this queue through the default exchange. */
  publish: protectedProcedure
    .input(queueRef.extend({ payload: z.string().max(16 * 1024 * 1024), properties: messageProperties, headers: headerRows }))
    .mutation(({ ctx, input }) => {
      ctx.services.broker.getQueue(input.vhost, input.name);
      const result = ctx.services.broker.publish(
        input.vhost,
        '',
        input.name,
        { ...input.properties, headers: headersFromRows(input.headers) },
        Buffer.from(input.payload, 'utf8'),
        undefined,
        { by: ctx.user.name },
      );
      return { routed: result.routed };
    }),
});
