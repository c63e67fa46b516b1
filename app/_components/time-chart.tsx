'use client';

import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock } from '../_lib/format';
import type { RangedPoints } from '../_lib/use-chart-range';
import { CHART_RANGES, RangePicker } from './range-picker';
import { UpdatedAgo } from './updated-ago';

export interface TimeLine<P> {
  key: keyof P & string;
  name: string;
  color: string;
}

const DAY_MS = 86_400_000;

/** Time ticks: the clock, with the weekday once a chart spans more than a day. */
function tickFormat(points: readonly { at: number }[]): (at: number) => string {
  const span = (points.at(-1)?.at ?? 0) - (points[0]?.at ?? 0);
  if (span <= DAY_MS) return formatClock;
  return (at) => new Date(at).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
}

/**
 * A live line chart over time: time on the x axis, the unit on the y axis,
 * exact values in the tooltip, a "now" line and how long ago its last point
 * came (by this browser's clock). With `ranged` (use-chart-range.ts)
 * it also offers the last hour, day and week from the broker's history.
 */
export function TimeChart<P extends { at: number }>({
  title,
  unit,
  points,
  lines,
  ranged,
}: {
  title: string;
  unit: string;
  points: P[];
  lines: readonly TimeLine<P>[];
  ranged?: Pick<RangedPoints<unknown>, 'range' | 'setRange' | 'loading' | 'error'>;
}) {
  const latest = points[points.length - 1];
  const latestAt = latest?.at;
  const [receivedAt, setReceivedAt] = useState(0);
  useEffect(() => {
    if (latestAt !== undefined) setReceivedAt(Date.now());
  }, [latestAt]);
  const ticks = tickFormat(points);
  return (
    <figure className="card chart" aria-label={title} data-points={points.length} data-from={points[0]?.at} data-range={ranged?.range ?? 'live'}>
      <figcaption>
        {title} <span className="muted">({unit})</span>
        <UpdatedAgo at={receivedAt} />
        {ranged && <RangePicker options={CHART_RANGES} value={ranged.range} onChange={ranged.setRange} label={title} />}
        {ranged?.loading && <span role="status"> Loading history…</span>}
        {ranged?.error && <span className="error"> History not available: {ranged.error.message}</span>}
      </figcaption>
      <div style={{ width: '100%', height: 220 }}>
        <ResponsiveContainer>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
            <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={ticks} stroke="var(--muted)" />
            <YAxis width={80} stroke="var(--muted)" unit={` ${unit}`} allowDecimals={false} />
            <Tooltip
              labelFormatter={(v) => ticks(Number(v))}
              formatter={(v) => `${Number(v).toLocaleString(undefined, { maximumFractionDigits: 1 })} ${unit}`}
              contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
            />
            <Legend />
            {lines.map((l) => (
              <Line key={l.key} type="monotone" dataKey={l.key} name={l.name} stroke={l.color} dot={false} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      {latest && (
        <p className="muted now" aria-label={`${title} now`}>
          Now:{' '}
          {lines.map((l, i) => (
            <span key={l.key}>
              {i > 0 && ', '}
              {l.name} <strong data-series={l.key}>{Number(latest[l.key]).toLocaleString(undefined, { maximumFractionDigits: 1 })}</strong>
            </span>
          ))}{' '}
          {unit}
        </p>
      )}
    </figure>
  );
}
