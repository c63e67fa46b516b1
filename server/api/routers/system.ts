import os from 'node:os';
import { z } from 'zod';
import { closeNames } from '../close-names';
import { listen } from '../listen';
import type { Services } from '../../services';
import { visibleTotals } from '../cluster-totals';
import { overviewProcedure, protectedProcedure, router } from '../trpc';

/** Who this broker is and how it is doing. */
function brokerInfo(services: Services) {
  const m = process.memoryUsage();
  return {
    product: 'Warren',
    version: services.version,
    nodeName: services.nodeName,
    startedAt: services.startedAt,
    uptimeMs: Date.now() - services.startedAt,
    nodeVersion: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memory: { rssBytes: m.rss, heapUsedBytes: m.heapUsed, totalSystemBytes: os.totalmem() },
    /** 99th percentile of the event-loop delay over the last second; null before the first sample. */
    eventLoopDelayP99Ms: services.sampler.history.latest()?.value.eventLoopDelayP99Ms ?? null,
    memoryAlarm: services.memory(),
    listeners: services.listeners,
    alarms: services.alarms(),
    journalDamage: services.journalDamage ?? null,
    database: services.db.provider,
  };
}

export const systemRouter = router({
  /** What the overview's header shows: who this broker is and how it is doing. */
  info: protectedProcedure.query(({ ctx }) => brokerInfo(ctx.services)),

  /** Names of a vhost's queues, exchanges or streams close to one that does not exist ("did you mean"). */
  closeNames: protectedProcedure
    .input(z.object({ vhost: z.string(), kind: z.enum(['queue', 'exchange', 'stream']), name: z.string().max(255) }))
    .query(({ ctx, input }) => {
      const { broker } = ctx.services;
      const names =
        input.kind === 'exchange'
          ? broker.listExchanges(input.vhost).map((e) => e.name)
          : input.kind === 'stream'
            ? broker.streams.list(input.vhost).map((s) => s.name)
            : broker.listQueueSummaries(input.vhost).map((q) => q.name);
      return closeNames(input.name, names);
    }),

  /** Names of the virtual hosts, for pickers. */
  vhosts: protectedProcedure.query(({ ctx }) => ctx.access.visibleVhosts(ctx.services.broker.listVhosts())),

  /** Counts across the broker (the user's vhosts only, unless they see all): connections, queues, messages, and message counters since start. */
  totals: protectedProcedure.query(({ ctx }) => visibleTotals(ctx.services, ctx.access)),

  /** The overview's figures (info and totals) pushed once a second, after each broker sample. */
  overview: protectedProcedure.subscription(async function* ({ ctx, signal }) {
    const read = async () => ({ at: Date.now(), info: brokerInfo(ctx.services), totals: await visibleTotals(ctx.services, ctx.access) });
    yield await read();
    for await (const _ of listen((fn) => ctx.services.brokerSampler.subscribe(fn), signal)) yield await read();
  }),

  /**
   * Message rates and queued messages for the overview's live charts: the
   * chosen range's 1-second points first, then a new point every second
   * (longer ranges come from history.broker).
   */
  messageRates: overviewProcedure.input(z.object({ rangeMinutes: z.union([z.literal(1), z.literal(5), z.literal(15)]) })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const { brokerSampler } = ctx.services;
    const since = Date.now() - input.rangeMinutes * 60_000;
    yield* brokerSampler.perSecond.toArray(since);
    yield* listen((fn) => brokerSampler.subscribe(fn), signal);
  }),

  /** Process figures once a second: the recent history first, then each new sample. */
  processFigures: overviewProcedure.subscription(async function* ({ ctx, signal }) {
    const { sampler } = ctx.services;
    yield* sampler.history.toArray(Date.now() - 5 * 60_000);
    yield* listen((fn) => sampler.subscribe(fn), signal);
  }),
});
