'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTRPC } from '../_lib/trpc';
import { formatClock } from '../_lib/format';

const MIB = 1024 * 1024;
const WINDOW_POINTS = 300; // five minutes at one sample a second

interface Point {
  at: number;
  rss: number;
  heap: number;
}

/** The broker process's memory, one point a second, streamed over SSE. */
export function MemoryChart() {
  const trpc = useTRPC();
  const [points, setPoints] = useState<Point[]>([]);
  const sub = useSubscription(
    trpc.system.processFigures.subscriptionOptions(undefined, {
      onData: (s) =>
        setPoints((prev) => {
          if (prev.length > 0 && prev[prev.length - 1].at >= s.at) return prev;
          const next = [...prev, { at: s.at, rss: s.value.rssBytes / MIB, heap: s.value.heapUsedBytes / MIB }];
          return next.length > WINDOW_POINTS ? next.slice(next.length - WINDOW_POINTS) : next;
        }),
    }),
  );

  return (
    <figure className="card chart" aria-label="Process memory" data-points={points.length}>
      <figcaption>
        Process memory <span className="muted">(MiB, live)</span>
        {sub.status === 'error' && <span className="error"> — live updates lost: {sub.error?.message}; retrying</span>}
        {sub.status === 'connecting' && points.length === 0 && <span className="muted"> — connecting…</span>}
      </figcaption>
      <div style={{ width: '100%', height: 240 }}>
        <ResponsiveContainer>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
            <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={formatClock} stroke="var(--muted)" />
            <YAxis unit=" MiB" width={80} stroke="var(--muted)" tickFormatter={(v: number) => v.toFixed(0)} />
            <Tooltip
              labelFormatter={(v) => formatClock(Number(v))}
              formatter={(v) => `${Number(v).toFixed(1)} MiB`}
              contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
            />
            <Legend />
            <Line type="monotone" dataKey="rss" name="Resident" stroke="var(--accent)" dot={false} isAnimationActive={false} />
            <Line type="monotone" dataKey="heap" name="JS heap" stroke="var(--accent2)" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
