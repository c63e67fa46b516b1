import os from 'node:os';
import { z } from 'zod';
import { listen } from '../listen';
import { overviewProcedure, protectedProcedure, router } from '../trpc';

export const systemRouter = router({
  /** What the overview's header shows: who this broker is and how it is doing. */
  info: protectedProcedure.query(({ ctx }) => {
    const { services } = ctx;
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
  }),

  /** Names of the virtual hosts, for pickers. */
  vhosts: protectedProcedure.query(({ ctx }) => ctx.access.visibleVhosts(ctx.services.broker.listVhosts())),

  /** Counts across the broker (the user's vhosts only, unless they see all): connections, queues, messages, and message counters since start. */
  totals: protectedProcedure.query(({ ctx }) => ctx.services.broker.totals(ctx.access.seesAll ? undefined : ctx.access.canSee)),

  /**
   * Message rates and queued messages for the overview's charts: the chosen
   * range's history first (1-second points up to 15 minutes, 1-minute points
   * beyond), then a new point every second.
   */
  messageRates: overviewProcedure
    .input(z.object({ rangeMinutes: z.union([z.literal(1), z.literal(5), z.literal(15), z.literal(60), z.literal(1440)]) }))
    .subscription(async function* ({ ctx, input, signal }) {
      const { brokerSampler } = ctx.services;
      const since = Date.now() - input.rangeMinutes * 60_000;
      yield* (input.rangeMinutes <= 15 ? brokerSampler.perSecond : brokerSampler.perMinute).toArray(since);
      yield* listen((fn) => brokerSampler.subscribe(fn), signal);
    }),

  /** Process figures once a second: the recent history first, then each new sample. */
  processFigures: overviewProcedure.subscription(async function* ({ ctx, signal }) {
    const { sampler } = ctx.services;
    yield* sampler.history.toArray(Date.now() - 5 * 60_000);
    yield* listen((fn) => sampler.subscribe(fn), signal);
  }),
});
