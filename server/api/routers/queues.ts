import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { QueueStats } from '../../broker/types';
import { publicProcedure, router } from '../trpc';

export const QUEUE_SORT_COLUMNS = ['vhost', 'name', 'type', 'ready', 'unacked', 'total', 'bytes', 'consumers', 'incoming', 'deliver', 'ack'] as const;
export type QueueSortColumn = (typeof QUEUE_SORT_COLUMNS)[number];

const listInput = z.object({
  vhost: z.string().optional(),
  /** Name filter: a substring, or a regular expression when `regex` is set. */
  filter: z.string().max(200).default(''),
  regex: z.boolean().default(false),
  sort: z.enum(QUEUE_SORT_COLUMNS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});

function nameMatcher(filter: string, regex: boolean): (name: string) => boolean {
  if (!filter) return () => true;
  if (!regex) {
    const needle = filter.toLowerCase();
    return (name) => name.toLowerCase().includes(needle);
  }
  try {
    const re = new RegExp(filter, 'i');
    return (name) => re.test(name);
  } catch (err) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `The filter is not a valid regular expression: ${(err as Error).message}` });
  }
}

export const queuesRouter = router({
  /** One page of the queue table, filtered and sorted on the server. */
  list: publicProcedure.input(listInput).query(({ ctx, input }) => {
    const { broker, brokerSampler } = ctx.services;
    const matches = nameMatcher(input.filter, input.regex);
    const rows = broker
      .listQueues(input.vhost)
      .filter((q) => matches(q.name))
      .map((q) => {
        const series = brokerSampler.queueSeries(q.vhost, q.name);
        return { ...q, total: q.ready + q.unacked, rates: series.rates, depth: series.depth };
      });
    const value = (r: (typeof rows)[number]): string | number => {
      switch (input.sort) {
        case 'incoming':
        case 'deliver':
        case 'ack':
          return r.rates[input.sort];
        case 'bytes':
          return r.readyBytes;
        default:
          return r[input.sort satisfies keyof QueueStats | 'total'];
      }
    };
    const sign = input.dir === 'asc' ? 1 : -1;
    rows.sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return c !== 0 ? sign * c : a.name.localeCompare(b.name);
    });
    return { total: rows.length, rows: rows.slice(input.offset, input.offset + input.limit) };
  }),
});
