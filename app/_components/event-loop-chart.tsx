'use client';

import { useProcessFigurePoints } from '../_lib/use-process-figures';
import { TimeChart } from './time-chart';

const LINES = [
  { key: 'p50', name: 'p50', color: 'var(--accent2)' },
  { key: 'p99', name: 'p99', color: 'var(--accent)' },
  { key: 'max', name: 'max', color: 'var(--muted)' },
] as const;

/**
 * How late the broker's event loop ran each second (the same figures as
 * warren_event_loop_delay_*_seconds on /metrics): every AMQP frame waits this
 * long at worst before the broker looks at it.
 */
export function EventLoopChart() {
  const { points, sub } = useProcessFigurePoints((f) => ({ p50: f.eventLoopDelayP50Ms, p99: f.eventLoopDelayP99Ms, max: f.eventLoopDelayMs }));
  return (
    <>
      {sub.status === 'error' && (
        <p role="alert" className="error">
          Live event-loop updates lost: {sub.error?.message}; retrying
        </p>
      )}
      <TimeChart title="Event-loop delay" unit="ms" points={points} lines={LINES} />
    </>
  );
}
