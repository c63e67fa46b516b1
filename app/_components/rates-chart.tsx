'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '../_lib/trpc';
import { TimeChart } from './time-chart';

const RANGES = [
  { minutes: 1, label: '1 min' },
  { minutes: 5, label: '5 min' },
  { minutes: 15, label: '15 min' },
  { minutes: 60, label: '1 hour' },
  { minutes: 1440, label: '24 hours' },
] as const;
type RangeMinutes = (typeof RANGES)[number]['minutes'];

const RATE_LINES = [
  { key: 'published', name: 'Published', color: 'var(--accent)' },
  { key: 'delivered', name: 'Delivered', color: 'var(--accent2)' },
  { key: 'acked', name: 'Acked', color: '#16a34a' },
  { key: 'redelivered', name: 'Redelivered', color: '#9333ea' },
  { key: 'returned', name: 'Returned', color: '#64748b' },
  { key: 'deadLettered', name: 'Dead-lettered', color: 'var(--danger)' },
] as const;

interface Point {
  at: number;
  published: number;
  delivered: number;
  acked: number;
  redelivered: number;
  returned: number;
  deadLettered: number;
  ready: number;
  unacked: number;
}

/** The overview's live charts: message rates and queued messages, over a chosen range. */
export function RatesCharts() {
  const trpc = useTRPC();
  const [range, setRange] = useState<RangeMinutes>(5);
  const [points, setPoints] = useState<Point[]>([]);
  const sub = useSubscription(
    trpc.system.messageRates.subscriptionOptions(
      { rangeMinutes: range },
      {
        onStarted: () => setPoints([]),
        onData: (s) =>
          setPoints((prev) => {
            const last = prev.at(-1);
            if (last !== undefined && last.at >= s.at) return prev;
            const cutoff = Date.now() - range * 60_000;
            const next = [...prev, { at: s.at, ...s.value.rates, ready: s.value.ready, unacked: s.value.unacked }];
            return next[0].at < cutoff ? next.filter((p) => p.at >= cutoff) : next;
          }),
      },
    ),
  );
  return (
    <div>
      <div className="toolbar" role="group" aria-label="Chart range">
        {RANGES.map((r) => (
          <button
            key={r.minutes}
            type="button"
            aria-pressed={range === r.minutes}
            className={range === r.minutes ? 'primary' : undefined}
            onClick={() => setRange(r.minutes)}
          >
            {r.label}
          </button>
        ))}
        {sub.status === 'error' && <span className="error">Live updates lost: {sub.error?.message}; retrying</span>}
      </div>
      <TimeChart title="Message rates" unit="msg/s" points={points} lines={RATE_LINES} />
      <TimeChart
        title="Queued messages"
        unit="msgs"
        points={points}
        lines={[
          { key: 'ready', name: 'Ready', color: 'var(--accent)' },
          { key: 'unacked', name: 'Unacked', color: 'var(--accent2)' },
        ]}
      />
    </div>
  );
}
