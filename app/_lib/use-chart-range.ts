'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ChartRange } from '../_components/range-picker';
import { useTRPC } from './trpc';

/** How often a history range asks again: minute points change once a minute, the live tail once a second. */
const HISTORY_REFRESH_MS = 10_000;

export interface RangedPoints<P> {
  points: P[];
  range: ChartRange;
  setRange: (r: ChartRange) => void;
  /** A history range is loading or failed. */
  loading: boolean;
  error: { message: string } | null;
}

/** A queue page's chart points: `live` as the page keeps them, or the queue's history over the chosen range. */
export function useQueueRange<P>(vhost: string, name: string, live: P[]): RangedPoints<P | HistoryQueuePoint> {
  const trpc = useTRPC();
  const [range, setRange] = useState<ChartRange>('live');
  const history = useQuery({
    ...trpc.history.queue.queryOptions({ vhost, name, range: range === 'live' ? '1h' : range }),
    enabled: range !== 'live' && name !== '',
    refetchInterval: HISTORY_REFRESH_MS,
  });
  return ranged(range, setRange, live, history);
}

/** A stream's lag chart points (`m:<group>` messages, `s:<group>` seconds): `live`, or the groups' history over the chosen range. */
export function useStreamLagRange<P>(vhost: string, stream: string, groups: string[], live: P[]): RangedPoints<P | LagHistoryPoint> {
  const trpc = useTRPC();
  const [range, setRange] = useState<ChartRange>('live');
  const history = useQuery({
    ...trpc.history.streamGroups.queryOptions({ vhost, name: stream, groups, range: range === 'live' ? '1h' : range }),
    enabled: range !== 'live' && groups.length > 0,
    refetchInterval: HISTORY_REFRESH_MS,
    select: (answer) => {
      // One point per time, with each group's two values (the charts' keys).
      const byAt = new Map<number, LagHistoryPoint>();
      for (const { group, points } of answer) {
        for (const p of points) {
          const point = byAt.get(p.at) ?? ({ at: p.at } as LagHistoryPoint);
          point[`m:${group}`] = p.messages;
          point[`s:${group}`] = p.ms / 1000;
          byAt.set(p.at, point);
        }
      }
      return [...byAt.values()].sort((a, b) => a.at - b.at);
    },
  });
  return ranged(range, setRange, live, history);
}

export type HistoryQueuePoint = { at: number; ready: number; unacked: number; incoming: number; deliver: number; ack: number };
export type LagHistoryPoint = { at: number } & Record<string, number>;

function ranged<P, H>(
  range: ChartRange,
  setRange: (r: ChartRange) => void,
  live: P[],
  history: { data?: H[]; isPending: boolean; error: { message: string } | null },
): RangedPoints<P | H> {
  if (range === 'live') return { points: live, range, setRange, loading: false, error: null };
  return { points: history.data ?? [], range, setRange, loading: history.isPending, error: history.error };
}
