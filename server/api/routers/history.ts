import { z } from 'zod';
import type { HistoryPoint } from '../../history/history-point';
import { BROKER_SERIES } from '../../history/history-point';
import { LIVE_WINDOW_MS } from '../../history/history-recorder';
import { objectName, queueRef } from '../inputs';
import { overviewProcedure, protectedProcedure, router } from '../trpc';

/**
 * The charts' longer ranges: 1-minute points from the metadata database
 * (averages of 7 minutes over 7 days: at most 1,500 points a chart), then
 * the live per-second samples of the last 15 minutes where the server keeps
 * them (broker totals, stream groups).
 */

const RANGE_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
const range = z.enum(['1h', '24h', '7d']);

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

export const historyRouter = router({
  /** The overview's charts: message rates and queued messages of the whole broker. */
  broker: overviewProcedure.input(z.object({ range })).query(async ({ ctx, input }) => {
    const { history, brokerSampler } = ctx.services;
    const now = Date.now();
    const live: HistoryPoint[] = brokerSampler.perSecond.toArray(now - LIVE_WINDOW_MS).map((s) => ({
      at: s.at,
      ready: s.value.ready,
      unacked: s.value.unacked,
      publishRate: s.value.rates.published,
      deliverRate: s.value.rates.delivered,
      ackRate: s.value.rates.acked,
      consumers: 0,
      lagMessages: null,
      lagMs: null,
      oldestAgeMs: null,
      redeliverRate: s.value.rates.redelivered,
      returnRate: s.value.rates.returned,
      deadLetterRate: s.value.rates.deadLettered,
    }));
    const points = await history.points(BROKER_SERIES, RANGE_MS[input.range], now, live);
    return points.map((p) => ({
      at: p.at,
      published: round(p.publishRate)!,
      delivered: round(p.deliverRate)!,
      acked: round(p.ackRate)!,
      redelivered: round(p.redeliverRate) ?? 0,
      returned: round(p.returnRate) ?? 0,
      deadLettered: round(p.deadLetterRate) ?? 0,
      ready: round(p.ready)!,
      unacked: round(p.unacked)!,
    }));
  }),

  /** One queue's depth, rates, consumers and oldest message age. */
  queue: protectedProcedure.input(queueRef.extend({ range })).query(async ({ ctx, input }) => {
    const points = await ctx.services.history.points({ kind: 'queue', vhost: input.vhost, name: input.name, group: '' }, RANGE_MS[input.range], Date.now());
    return points.map((p) => ({
      at: p.at,
      ready: round(p.ready)!,
      unacked: round(p.unacked)!,
      incoming: round(p.publishRate)!,
      deliver: round(p.deliverRate)!,
      ack: round(p.ackRate)!,
      consumers: round(p.consumers)!,
      oldestAgeMs: round(p.oldestAgeMs),
    }));
  }),

  /** The lag of each consumer group of a stream (those it has now). */
  streamGroups: protectedProcedure.input(queueRef.extend({ range, groups: z.array(objectName).max(100) })).query(async ({ ctx, input }) => {
    const { history, broker } = ctx.services;
    const now = Date.now();
    return Promise.all(
      input.groups.map(async (group) => {
        const live: HistoryPoint[] = broker.streams.lagHistory(input.vhost, input.name, group, now - LIVE_WINDOW_MS).map((p) => ({
          at: p.at,
          ready: 0,
          unacked: 0,
          publishRate: 0,
          deliverRate: 0,
          ackRate: 0,
          consumers: 0,
          lagMessages: p.messages,
          lagMs: p.ms,
          oldestAgeMs: null,
          redeliverRate: null,
          returnRate: null,
          deadLetterRate: null,
        }));
        const points = await history.points({ kind: 'group', vhost: input.vhost, name: input.name, group }, RANGE_MS[input.range], now, live);
        return { group, points: points.map((p) => ({ at: p.at, messages: round(p.lagMessages) ?? 0, ms: round(p.lagMs) ?? 0 })) };
      }),
    );
  }),
});
