import { z } from 'zod';
import type { Broker } from '../../broker/broker';
import { protectedProcedure, router } from '../trpc';

/**
 * What is behind the most, across the broker: stream consumer groups by time
 * lag, and queues by the age of their oldest ready message.
 *
 * The engine keeps no enqueue time per message, so a queue's age is read from
 * its head message's AMQP `timestamp` property (set by most publishers). A queue
 * whose head carries no timestamp is listed with its depth and an unknown age,
 * after every queue whose age is known.
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

function queueAges(broker: Broker, vhost: string | undefined, now: number) {
  return broker
    .listQueues(vhost)
    .filter((q) => q.type !== 'stream' && q.ready > 0)
    .map((q) => {
      const head = broker.browseQueue(q.vhost, q.name, { limit: 1 })[0];
      const stamp = head?.properties.timestamp;
      return {
        vhost: q.vhost,
        queue: q.name,
        ready: q.ready,
        consumers: q.consumers,
        /** Milliseconds since the head message was published, or null when it carries no timestamp. */
        oldestAgeMs: typeof stamp === 'number' ? Math.max(0, now - stamp * 1000) : null,
      };
    });
}

export const lagRouter = router({
  /** Stream groups ranked by time lag and queues by oldest ready message, worst first, at most 200 of each. */
  ranking: protectedProcedure.input(z.object({ vhost: z.string().min(1).optional() }).default({})).query(({ ctx, input }) => {
    const { broker } = ctx.services;
    const groups = groupLags(broker, input.vhost).sort((a, b) => b.lagMs - a.lagMs || b.lagMessages - a.lagMessages);
    const queues = queueAges(broker, input.vhost, Date.now()).sort(
      (a, b) => (b.oldestAgeMs ?? -1) - (a.oldestAgeMs ?? -1) || b.ready - a.ready,
    );
    return { groups: groups.slice(0, MAX_ROWS), groupCount: groups.length, queues: queues.slice(0, MAX_ROWS), queueCount: queues.length };
  }),
});
