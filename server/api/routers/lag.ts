import { z } from 'zod';
import type { Broker } from '../../broker/broker';
import type { BrokerSampler } from '../../metrics/broker-sampler';
import { protectedProcedure, router } from '../trpc';

/**
 * What is behind the most, across the broker: stream consumer groups by time
 * lag, and queues by growth and by the age of their oldest ready message. A
 * queue's age is that message's AMQP `timestamp` property when it has one
 * (set by the publisher: the true age, also across restarts); otherwise when
 * Warren received it, dated to the second by the broker sampler from the
 * queue's sequence numbers (no clock read per message), which the sampler
 * keeps across restarts (metrics/arrival-file.ts).
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

/** How long the oldest ready message has waited, and from what: its timestamp property, or when Warren received it (null before the sampler saw it). */
function headAge(broker: Broker, sampler: BrokerSampler, vhost: string, name: string, now: number): { ms: number | null; from: 'timestamp' | 'arrival' } {
  const stamped = broker.browseQueue(vhost, name, { limit: 1 })[0]?.properties.timestamp;
  // A publisher's clock ahead of ours would give a negative age: take the arrival instead.
  if (typeof stamped === 'number' && stamped * 1000 <= now) return { ms: now - stamped * 1000, from: 'timestamp' };
  return { ms: sampler.headAgeMs(vhost, name, now), from: 'arrival' };
}

function queueLags(broker: Broker, sampler: BrokerSampler, vhost: string | undefined, now: number) {
  return broker
    .listQueueSummaries(vhost)
    .filter((q) => q.type !== 'stream' && q.ready + q.unacked > 0)
    .map((q) => {
      const age = q.ready > 0 ? headAge(broker, sampler, q.vhost, q.name, now) : { ms: null, from: 'arrival' as const };
      return {
        vhost: q.vhost,
        queue: q.name,
        ready: q.ready,
        consumers: q.consumers,
        /** In − out over the last seconds, messages per second; null before the sampler has a trend. */
        growthPerSecond: sampler.queueGrowth(q.vhost, q.name, undefined, now),
        /** Milliseconds the head message has waited; null when none is ready or the sampler has not seen it yet. */
        oldestAgeMs: age.ms,
        ageFrom: age.from,
      };
    });
}

export const lagRouter = router({
  /** Stream groups ranked by time lag, queues by growth (those growing) and by oldest ready message, worst first, at most 200 of each. */
  ranking: protectedProcedure.input(z.object({ vhost: z.string().min(1).optional() }).default({})).query(({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    const groups = ctx.access.visible(groupLags(broker, input.vhost)).sort((a, b) => b.lagMs - a.lagMs || b.lagMessages - a.lagMessages);
    const lags = ctx.access.visible(queueLags(broker, brokerSampler, input.vhost, Date.now()));
    const growing = lags.filter((q) => (q.growthPerSecond ?? 0) > 0).sort((a, b) => b.growthPerSecond! - a.growthPerSecond! || b.ready - a.ready);
    const queues = lags.filter((q) => q.ready > 0).sort((a, b) => (b.oldestAgeMs ?? -1) - (a.oldestAgeMs ?? -1) || b.ready - a.ready);
    return {
      groups: groups.slice(0, MAX_ROWS),
      groupCount: groups.length,
      growing: growing.slice(0, MAX_ROWS),
      growingCount: growing.length,
      queues: queues.slice(0, MAX_ROWS),
      queueCount: queues.length,
    };
  }),
});
