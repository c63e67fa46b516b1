'use client';

import Link from 'next/link';
import { queueHref, streamHref } from '../_lib/links';
import { useTRPC, type AppRouterOutputs } from '../_lib/trpc';
import { useLive } from '../_lib/use-live';
import { DateTime } from './date-time';

export type FiringAlert = AppRouterOutputs['alerts']['firing'][number];

/** The console page of the object an alert is about: a queue, or a stream for one of its groups. */
export function alertObjectHref(a: Pick<FiringAlert, 'vhost' | 'objectKind' | 'object'>): string {
  return a.objectKind === 'queue' ? queueHref(a.vhost, a.object) : streamHref(a.vhost, a.object.slice(0, a.object.lastIndexOf('/')));
}

/**
 * The alerts firing now, as a banner: every one the user may see (the
 * overview), or those of one queue or stream (its page). Nothing while none
 * fires.
 */
export function AlertBanner({ vhost, name, kind }: { vhost?: string; name?: string; kind?: 'queue' | 'stream' }) {
  const trpc = useTRPC();
  const firing = useLive({ ...trpc.alerts.firing.queryOptions(vhost !== undefined && name ? { vhost, name, kind } : {}), enabled: name !== '' });
  const alerts = firing.data ?? [];
  if (alerts.length === 0) return null;
  return (
    <div role="alert" className="alarm" aria-label="Firing alerts">
      <strong>{alerts.length === 1 ? 'An alert is firing' : `${alerts.length} alerts are firing`}:</strong>
      <ul>
        {alerts.map((a) => (
          <li key={`${a.ruleId} ${a.vhost} ${a.object}`}>
            {a.ruleName}: {name === undefined ? <Link href={alertObjectHref(a)}>{a.summary}</Link> : a.summary} (since <DateTime ms={a.firedAt} />)
          </li>
        ))}
      </ul>
      <Link href="/alerts">All alerts and rules</Link>
    </div>
  );
}
