'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { journeyHref } from '../../_lib/links';
import { useTRPC } from '../../_lib/trpc';
import { LOOK_ONLY, useMe } from '../../_lib/use-me';
import { useMutate } from '../../_lib/use-mutate';

/** The queue's "Trace" switch: record the journeys of messages entering it (kept across restarts). */
export function TraceToggle({ vhost, name }: { vhost: string; name: string }) {
  const trpc = useTRPC();
  const changes = useMe().canChange(vhost);
  const state = useQuery(trpc.journeys.tracing.queryOptions({ vhost }));
  const set = useMutate(trpc.journeys.setTracing.mutationOptions());
  if (!state.data) return null;
  const own = state.data.queues.includes(name);
  return (
    <p className="trace-toggle">
      <label>
        <input
          type="checkbox"
          checked={own || state.data.vhost}
          disabled={!changes || state.data.vhost || set.isPending}
          title={changes ? (state.data.vhost ? `Vhost ${vhost} is traced as a whole` : undefined) : LOOK_ONLY}
          onChange={(e) => set.mutate({ vhost, queue: name, on: e.target.checked })}
        />{' '}
        Trace journeys of messages entering this queue
      </label>{' '}
      <Link href={journeyHref(vhost, '')}>Find a journey</Link>
      {set.error && <span className="error"> {set.error.message}</span>}
    </p>
  );
}
