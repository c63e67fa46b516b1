'use client';

import { useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '../_lib/trpc';
import { HISTORY_RANGES, RangePicker } from './range-picker';
import { TimeChart } from './time-chart';

/** Up to 15 minutes the charts are live (per-second samples pushed by the server); longer ranges come from the broker's history. */
const RANGES = [{ range: 1, label: '1 min' }, { range: 5, label: '5 min' }, { range: 15, label: '15 min' }, ...HISTORY_RANGES] as const;
type Range = (typeof RANGES)[number]['range'];

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
  const [range, setRange] = useState<Range>(5);
  const [points, setPoints] = useState<Point[]>([]);
  const live = typeof range === 'number';
  const history = useQuery({
    ...trpc.history.broker.queryOptions({ range: live ? '1h' : range }),
    enabled: !live,
    refetchInterval: 10_000,
  });
  const sub = useSubscription(
    trpc.system.messageRates.subscriptionOptions(
      { rangeMinutes: live ? range : 1 },
      {
        enabled: live,
        onStarted: () => setPoints([]),
        onData: (s) =>
          setPoints((prev) => {
            const last = prev.at(-1);
            if (last !== undefined && last.at >= s.at) return prev;
            const cutoff = Date.now() - (live ? range : 1) * 60_000;
            const next = [...prev, { at: s.at, ...s.value.rates, ready: s.value.ready, unacked: s.value.unacked }];
            return next[0].at < cutoff ? next.filter((p) => p.at >= cutoff) : next;
          }),
      },
    ),
  );
  const charted = live ? points : (history.data ?? []);
  return (
    <div>
      <div className="toolbar">
        <RangePicker options={RANGES} value={range} onChange={setRange} label="Chart" />
        {live && sub.status === 'error' && <span className="error">Live updates lost: {sub.error?.message}; retrying</span>}
        {!live && history.isPending && <span role="status">Loading history…</span>}
        {!live && history.error && <span className="error">History not available: {history.error.message}</span>}
      </div>
      <TimeChart title="Message rates" unit="msg/s" points={charted} lines={RATE_LINES} />
      <TimeChart
        title="Queued messages"
        unit="msgs"
        points={charted}
        lines={[
          { key: 'ready', name: 'Ready', color: 'var(--accent)' },
          { key: 'unacked', name: 'Unacked', color: 'var(--accent2)' },
        ]}
      />
    </div>
  );
}
