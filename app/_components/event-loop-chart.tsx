'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '../_lib/trpc';
import { TimeChart } from './time-chart';

const WINDOW_POINTS = 300; // five minutes at one sample a second

interface Point {
  at: number;
  p50: number;
  p99: number;
  max: number;
}

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
  const trpc = useTRPC();
  const [points, setPoints] = useState<Point[]>([]);
  const sub = useSubscription(
    trpc.system.processFigures.subscriptionOptions(undefined, {
      onData: (s) =>
        setPoints((prev) => {
          const last = prev.at(-1);
          if (last !== undefined && last.at >= s.at) return prev;
          const next = [...prev, { at: s.at, p50: s.value.eventLoopDelayP50Ms, p99: s.value.eventLoopDelayP99Ms, max: s.value.eventLoopDelayMs }];
          return next.length > WINDOW_POINTS ? next.slice(next.length - WINDOW_POINTS) : next;
        }),
    }),
  );
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
