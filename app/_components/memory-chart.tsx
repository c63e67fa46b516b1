'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '../_lib/trpc';
import { TimeChart } from './time-chart';

const MIB = 1024 * 1024;
const WINDOW_POINTS = 300; // five minutes at one sample a second

interface Point {
  at: number;
  rss: number;
  heap: number;
}

const LINES = [
  { key: 'rss', name: 'Resident', color: 'var(--accent)' },
  { key: 'heap', name: 'JS heap', color: 'var(--accent2)' },
] as const;

/** The broker process's memory, one point a second, streamed over SSE. */
export function MemoryChart() {
  const trpc = useTRPC();
  const [points, setPoints] = useState<Point[]>([]);
  const sub = useSubscription(
    trpc.system.processFigures.subscriptionOptions(undefined, {
      onData: (s) =>
        setPoints((prev) => {
          const last = prev.at(-1);
          if (last !== undefined && last.at >= s.at) return prev;
          const next = [...prev, { at: s.at, rss: s.value.rssBytes / MIB, heap: s.value.heapUsedBytes / MIB }];
          return next.length > WINDOW_POINTS ? next.slice(next.length - WINDOW_POINTS) : next;
        }),
    }),
  );
  return (
    <>
      {sub.status === 'error' && (
        <p role="alert" className="error">
          Live memory updates lost: {sub.error?.message}; retrying
        </p>
      )}
      <TimeChart title="Process memory" unit="MiB" points={points} lines={LINES} />
    </>
  );
}
