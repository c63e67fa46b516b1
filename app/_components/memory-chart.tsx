'use client';

import { useProcessFigurePoints } from '../_lib/use-process-figures';
import { TimeChart } from './time-chart';

const MIB = 1024 * 1024;

const LINES = [
  { key: 'rss', name: 'Resident', color: 'var(--accent)' },
  { key: 'heap', name: 'JS heap', color: 'var(--accent2)' },
] as const;

/** The broker process's memory, one point a second, streamed over SSE. */
export function MemoryChart() {
  const { points, sub } = useProcessFigurePoints((f) => ({ rss: f.rssBytes / MIB, heap: f.heapUsedBytes / MIB }));
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
