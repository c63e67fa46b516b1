'use client';

import { useEffect, useState } from 'react';
import { useUnreachableSince } from '../_lib/connectivity';
import { formatClock, formatDuration } from '../_lib/format';
import { LIVE_MS } from '../_lib/use-live';

/** Past this without an answer, a live figure is old: three refreshes missed. */
export const STALE_AFTER_MS = 3 * LIVE_MS;

/**
 * "updated N s ago" beside a live card or chart, from the time of its last
 * answer (a query's `dataUpdatedAt`, or when a chart's last point came);
 * greyed, and saying so, once that is older than three refreshes or while the
 * broker cannot be reached.
 */
export function UpdatedAgo({ at }: { at: number }) {
  const unreachable = useUnreachableSince() !== null;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  if (at === 0) return null;
  const ago = Math.max(0, now - at);
  const stale = unreachable || ago > STALE_AFTER_MS;
  return (
    <span className={stale ? 'updated-ago updated-stale' : 'updated-ago'} title={`Last answer from the broker at ${formatClock(at)}`} data-stale={stale}>
      updated {ago < 60_000 ? `${Math.floor(ago / 1000)} s` : formatDuration(ago)} ago{stale && ', not live'}
    </span>
  );
}
