'use client';

import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock } from '../_lib/format';
import { UpdatedAgo } from './updated-ago';

export interface TimeLine<P> {
  key: keyof P & string;
  name: string;
  color: string;
}

/**
 * A live line chart over time: time on the x axis, the unit on the y axis,
 * exact values in the tooltip, a "now" line, and how long ago its last point
 * came (by this browser's clock, so a server clock that differs does not matter).
 */
export function TimeChart<P extends { at: number }>({
  title,
  unit,
  points,
  lines,
}: {
  title: string;
  unit: string;
  points: P[];
  lines: readonly TimeLine<P>[];
}) {
  const latest = points[points.length - 1];
  const latestAt = latest?.at;
  const [receivedAt, setReceivedAt] = useState(0);
  useEffect(() => {
    if (latestAt !== undefined) setReceivedAt(Date.now());
  }, [latestAt]);
  return (
    <figure className="card chart" aria-label={title} data-points={points.length} data-from={points[0]?.at}>
      <figcaption>
        {title} <span className="muted">({unit})</span>
        <UpdatedAgo at={receivedAt} />
      </figcaption>
      <div style={{ width: '100%', height: 220 }}>
        <ResponsiveContainer>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
            <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={formatClock} stroke="var(--muted)" />
            <YAxis width={80} stroke="var(--muted)" unit={` ${unit}`} allowDecimals={false} />
            <Tooltip
              labelFormatter={(v) => formatClock(Number(v))}
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
