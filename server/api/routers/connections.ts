import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Channel } from '../../broker/channel';
import type { ConnectionSummary } from '../../broker/types';
import type { Services } from '../../services';
import { closeConnection } from '../changes';
import { clientIdentity } from '../client-identity';
import { toJsonSafe } from '../json-safe';
import { protectedProcedure, router } from '../trpc';

/** One channel as the console shows it: its limits, its publisher mode, its rates and what it consumes. */
function channelView(services: Services, ch: Channel) {
  return {
    number: ch.number,
    /** basic.qos for each new consumer (0: unlimited), and the limit its consumers share (global; 0: none). */
    prefetch: ch.prefetchCount,
    globalPrefetch: ch.globalPrefetchCount,
    unacked: ch.unackedCount,
    confirm: ch.confirm,
    transactional: ch.transactional,
    flowing: ch.writable,
    ...services.brokerSampler.channelRates(ch.connection.id, ch.number),
    consumers: [...ch.consumers.values()].map((c) => ({
      tag: c.tag,
      queue: c.queue.name,
      vhost: c.queue.vhost,
      prefetch: c.prefetch,
      unacked: c.unacked,
      noAck: c.noAck,
    })),
  };
}

function channelsOf(services: Services, c: ConnectionSummary) {
  return [...(services.broker.getConnection(c.id)?.channels.values() ?? [])].map((ch) => channelView(services, ch));
}

export const connectionsRouter = router({
  /** Every client connection with its channels and what they consume. */
  list: protectedProcedure.query(({ ctx }) => {
    const { broker } = ctx.services;
    return ctx.access
      .visible(broker.listConnections())
      .filter((c) => c.protocol !== 'console')
      .map((c) => ({
        ...c,
        clientProperties: toJsonSafe(c.clientProperties),
        ...clientIdentity(c),
        ...ctx.services.brokerSampler.connectionRates(c.id),
        channelList: channelsOf(ctx.services, c),
      }));
  }),

  /** Every channel of every client connection, as RabbitMQ's Channels tab lists them. */
  channels: protectedProcedure.query(({ ctx }) => {
    const { broker } = ctx.services;
    return ctx.access
      .visible(broker.listConnections())
      .filter((c) => c.protocol !== 'console')
      .flatMap((c) => {
        const { name, peer } = clientIdentity(c);
        const connection = { id: c.id, name, peer, user: c.user, vhost: c.vhost };
        return channelsOf(ctx.services, c).map((ch) => ({ ...ch, connection }));
      });
  }),

  close: protectedProcedure
    .input(z.object({ id: z.string().min(1), reason: z.string().max(200).default('Closed from the Warren console') }))
    .mutation(async ({ ctx, input }) => {
      const connection = ctx.services.broker.getConnection(input.id);
      if (connection && !ctx.access.canChange(connection.vhost)) {
        throw new TRPCError({ code: 'FORBIDDEN', message: `User '${ctx.user.name}' has no permission on vhost '${connection.vhost}'.` });
      }
      if (!connection || !(await closeConnection(ctx, input.id, input.reason))) {
        throw new TRPCError({ code: 'NOT_FOUND', message: `Connection ${input.id} is no longer open.` });
      }
      return { ok: true };
    }),
});
