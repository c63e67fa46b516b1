import { z } from 'zod';
import type { Broker } from '../../broker/broker';
import type { BrokerSampler } from '../../metrics/broker-sampler';
import { protectedProcedure, router } from '../trpc';

/**
 * What is behind the most, across the broker: stream consumer groups by time
 * lag, and queues by the age of their oldest ready message. A queue's age is
 * dated to the second by the broker sampler from the queue's sequence numbers
 * (no clock read per message); messages older than the broker's start count
 * from the start.
 */

const MAX_ROWS = 200;

function groupLags(broker: Broker, vhost: string | undefined) {
  return broker.streams.list(vhost).flatMap((s) =>
    broker.streams.groups(s.vhost, s.name).map((g) => ({
      vhost: s.vhost,
      stream: s.name,
      group: g.name,
      consumers: g.consumers,
      committedOffset: g.committedOffset,
      lagMessages: g.lag.messages,
      lagMs: g.lag.ms,
    })),
  );
}

function queueAges(broker: Broker, sampler: BrokerSampler, vhost: string | undefined, now: number) {
  return broker
    .listQueues(vhost)
    .filter((q) => q.type !== 'stream' && q.ready > 0)
    .map((q) => ({
      vhost: q.vhost,
      queue: q.name,
      ready: q.ready,
      consumers: q.consumers,
      /** Milliseconds the head message has waited; null until the sampler has seen the queue. */
      oldestAgeMs: sampler.headAgeMs(q.vhost, q.name, now),
    }));
}

export const lagRouter = router({
  /** Stream groups ranked by time lag and queues by oldest ready message, worst first, at most 200 of each. */
  ranking: protectedProcedure.input(z.object({ vhost: z.string().min(1).optional() }).default({})).query(({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    const groups = ctx.access.visible(groupLags(broker, input.vhost)).sort((a, b) => b.lagMs - a.lagMs || b.lagMessages - a.lagMessages);
    const queues = ctx.access
      .visible(queueAges(broker, brokerSampler, input.vhost, Date.now()))
      .sort((a, b) => (b.oldestAgeMs ?? -1) - (a.oldestAgeMs ?? -1) || b.ready - a.ready);
    return { groups: groups.slice(0, MAX_ROWS), groupCount: groups.length, queues: queues.slice(0, MAX_ROWS), queueCount: queues.length };
  }),
});
