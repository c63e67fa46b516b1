import { z } from 'zod';
import type { Broker } from '../../broker/broker';
import type { RetryQueueInfo } from '../../broker/types';
import type { BrokerSampler } from '../../metrics/broker-sampler';
import { queueRef } from '../inputs';
import { messageView } from '../message-view';
import { protectedProcedure, router } from '../trpc';

/** Where a queue's messages go after its last tier: `<queue>.dlq`, the queue its x-dead-letter-routing-key names, or the DLX's bound queues. */
function deadLetterQueues(broker: Broker, info: RetryQueueInfo): string[] {
  const { vhost, queue, deadLetterExchange: dlx, deadLetterRoutingKey: dlrk } = info;
  if (dlx === null) return [`${queue}.dlq`];
  // In a TTL chain the dead-letter exchange leads to the tiers themselves, not past them.
  const holding = new Set(info.tiers.map((t) => t.holding));
  const notATier = (name: string) => !holding.has(name);
  if (dlrk !== null) {
    try {
      return broker.trace(vhost, dlx, dlrk).queues.filter(notATier);
    } catch {
      return []; // the dead-letter exchange is not declared: such messages are dropped
    }
  }
  const bound = broker.listBindings(vhost).filter((b) => b.source === dlx && b.destinationType === 'queue');
  return [...new Set(bound.map((b) => b.destination))].filter(notATier);
}

function stage(broker: Broker, sampler: BrokerSampler, vhost: string, name: string) {
  try {
    const q = broker.getQueue(vhost, name);
    return { name, ready: q.ready, unacked: q.unacked, consumers: q.consumers, rates: sampler.queueRates(vhost, name) };
  } catch {
    return null; // named by the arguments but not declared (yet)
  }
}

export const retriesRouter = router({
  /** The retries page: each queue with tiers as a pipeline, its own and its dead-letter queues' counts and rates beside the tiers. */
  pipelines: protectedProcedure.input(z.object({ vhost: z.string().min(1).optional() }).default({})).query(({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    return ctx.access.visible(broker.retries.list(input.vhost)).map((info) => ({
      ...info,
      work: stage(broker, brokerSampler, info.vhost, info.queue),
      deadLetters: deadLetterQueues(broker, info).map(
        (name) => stage(broker, brokerSampler, info.vhost, name) ?? { name, ready: 0, unacked: 0, consumers: 0, rates: null },
      ),
    }));
  }),

  /** Every queue with retry tiers (x-retry-tiers, or a recognised TTL chain), with per-tier counts and due times. */
  list: protectedProcedure
    .input(z.object({ vhost: z.string().min(1).optional() }).default({}))
    .query(({ ctx, input }) => ctx.access.visible(ctx.services.broker.retries.list(input.vhost))),

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
      ctx.services.broker.retries.browseTier(input.vhost, input.name, input.tier, { offset: input.offset, limit: input.limit }).map((m) => ({
        position: m.position,
        seq: m.seq,
        attempt: m.attempt,
        heldSince: m.heldSince,
        dueAt: m.dueAt,
        ...messageView({ ...m, redelivered: false }),
      })),
    ),
});
