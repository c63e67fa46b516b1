import os from 'node:os';
import { listen } from '../listen';
import { publicProcedure, router } from '../trpc';

export const systemRouter = router({
  /** What the overview's header shows: who this broker is and how it is doing. */
  info: publicProcedure.query(({ ctx }) => {
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
      listeners: services.listeners,
      database: services.db.provider,
    };
  }),

  /** Names of the virtual hosts, for pickers. */
  vhosts: publicProcedure.query(({ ctx }) => ctx.services.broker.listVhosts()),

  /** Counts across the whole broker: connections, queues, messages, and message counters since start. */
  totals: publicProcedure.query(({ ctx }) => ctx.services.broker.totals()),

  /** Process figures once a second: the recent history first, then each new sample. */
  processFigures: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const { sampler } = ctx.services;
    yield* sampler.history.toArray(Date.now() - 5 * 60_000);
    yield* listen((fn) => sampler.subscribe(fn), signal);
  }),
});
