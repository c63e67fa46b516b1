import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { ConsumerInfo, QueueSummary } from '../../broker/types';
import { QUEUE_HISTORY_MS } from '../../metrics/queue-history';
import { queueState } from '../../metrics/queue-state';
import type { Services } from '../../services';
import { recordAudit } from '../audit';
import { clientIdentity } from '../client-identity';
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

/** A consumer with the client behind it: its name, peer host:port, and how full its prefetch is. */
function consumerView(services: Services, c: ConsumerInfo) {
  const connection = services.broker.getConnection(c.connectionId)?.summary();
  const channel = services.broker.getConnection(c.connectionId)?.channel(c.channel);
  return {
    ...c,
    arguments: c.arguments as Record<string, unknown>,
    client: connection ? clientIdentity(connection) : null,
    /** basic.qos global=true on its channel: a limit shared with the channel's other consumers (0: none). */
    channelPrefetch: channel?.globalPrefetchCount ?? 0,
  };
}

/**
 * In a cluster, a queue's ready, unacked, consumer and byte counts are its
 * owner's: this node's copy of a queue another node serves holds nothing.
 * Returns a function that puts the owner's counts over this node's.
 */
async function ownersCounts(services: Services) {
  const elsewhere = services.cluster ? await services.cluster.queueCountsElsewhere() : undefined;
  return <Q extends QueueSummary>(q: Q): Q => {
    const counts = elsewhere?.get(`${q.vhost}\u0000${q.name}`);
    return counts === undefined ? q : { ...q, ...counts };
  };
}

export const queuesRouter = router({
  /** One page of the queue table, filtered and sorted on the server. */
  list: protectedProcedure.input(listInput).query(async ({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    const owners = await ownersCounts(ctx.services);
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
    for (const local of ctx.access.visible(broker.listQueueSummaries(input.vhost))) {
      if (!matches(local.name)) continue;
      const q = owners(local);
      keyed.push({ q, key: sortKey(q) });
    }
    const sign = input.dir === 'asc' ? 1 : -1;
    // Plain code-unit comparison: locale collation costs too much across 10,000 names.
    const compare = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
    keyed.sort((a, b) => sign * compare(a.key, b.key) || compare(a.q.name, b.q.name));
    const rows = keyed.slice(input.offset, input.offset + input.limit).map(({ q: summary }) => {
      const q = owners(broker.getQueue(summary.vhost, summary.name));
      return {
        ...q,
        arguments: q.arguments as Record<string, unknown>,
        effectiveArguments: q.effectiveArguments as Record<string, unknown>,
        total: q.ready + q.unacked,
        /** In a cluster, the node that serves the queue (null when none does right now); null alone. */
        node: ctx.services.cluster?.servingNode(q.vhost, q.name, q.durable) ?? null,
        ...brokerSampler.queueSeries(q.vhost, q.name),
        state: queueState({ ...q, rates: brokerSampler.queueRates(q.vhost, q.name) }),
      };
    });
    return { total: keyed.length, rows };
  }),

  /** One queue: stats, rates, what it is doing, recent depth, consumers with their clients, and bindings. */
  get: protectedProcedure.input(queueRef).query(async ({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    const q = (await ownersCounts(ctx.services))(broker.getQueue(input.vhost, input.name));
    const series = brokerSampler.queueSeries(q.vhost, q.name);
    return {
      ...q,
      arguments: q.arguments as Record<string, unknown>,
      effectiveArguments: q.effectiveArguments as Record<string, unknown>,
      /** The policy that applies, with its definition (what it sets beside the arguments). */
      policy: q.policy === null ? null : broker.policy(q.vhost, q.policy),
      /** In a cluster, the node that serves the queue (null when none does right now); undefined alone. */
      node: ctx.services.cluster ? ctx.services.cluster.servingNode(q.vhost, q.name, q.durable) : undefined,
      ...series,
      state: queueState({ ...q, rates: series.rates }),
      /** How long the oldest ready message has waited (null: none ready). */
      oldestReadyAgeMs: brokerSampler.headAgeMs(q.vhost, q.name),
      consumers: broker
        .listConsumers(input.vhost)
        .filter((c) => c.queue === input.name)
        .map((c) => consumerView(ctx.services, c)),
      bindings: broker
        .listBindings(input.vhost)
        .filter((b) => b.destinationType === 'queue' && b.destination === input.name)
        .map((b) => ({ ...b, arguments: b.arguments as Record<string, unknown> })),
    };
  }),

  /**
   * The queue's depth and rates every 5 s since `since` (epoch ms, at most 15
   * minutes back), oldest first: where its page's charts start.
   */
  history: protectedProcedure.input(queueRef.extend({ since: z.number() })).query(({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    broker.getQueue(input.vhost, input.name); // 404 for a queue that is gone
    return brokerSampler.queueHistory(input.vhost, input.name, Math.max(input.since, Date.now() - QUEUE_HISTORY_MS));
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
      // Deliveries read `redelivered`, and messages their body, through getters, which a spread would not copy.
      return taken.map((d) => ({
        ...messageView({ exchange: d.exchange, routingKey: d.routingKey, redelivered: d.redelivered, properties: d.message.properties, body: d.message.body }),
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
