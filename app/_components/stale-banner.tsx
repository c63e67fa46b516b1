'use client';

import { useEffect, useState } from 'react';
import { useUnreachableSince } from '../_lib/connectivity';
import { formatClock, formatDuration } from '../_lib/format';

/**
 * Says, on every page, that the broker cannot be reached and since when; while
 * it shows, the shell is marked stale and figures, tables and charts grey out
 * (globals.css), so nothing old looks live. It goes as soon as an answer comes.
 */
export function StaleBanner() {
  const since = useUnreachableSince();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    document.body.classList.toggle('stale', since !== null);
    if (since === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [since]);
  if (since === null) return null;
  return (
    <div role="alert" className="stale-banner">
      <strong>Cannot reach the broker</strong> since {formatClock(since)} (updated {formatDuration(Math.max(0, now - since))} ago). The figures below are from
      then and are not changing; the console reconnects by itself.
    </div>
  );
}
