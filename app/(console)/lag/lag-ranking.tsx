'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { ErrorNote } from '../../_components/error-note';
import { formatDuration } from '../../_lib/format';
import { useTRPC } from '../../_lib/trpc';

const streamHref = (vhost: string, name: string) => `/streams/view?vhost=${encodeURIComponent(vhost)}&name=${encodeURIComponent(name)}`;
const queueHref = (vhost: string, name: string) => `/queue?vhost=${encodeURIComponent(vhost)}&name=${encodeURIComponent(name)}`;

/** What is behind the most, worst first: stream groups by time lag, queues by the age of their oldest ready message. */
export function LagRanking() {
  const trpc = useTRPC();
  const ranking = useQuery({ ...trpc.lag.ranking.queryOptions({}), refetchInterval: 1_000 });
  if (ranking.isPending) return <p role="status">Loading…</p>;
  if (ranking.isError) return <ErrorNote errors={[ranking.error]} />;
  const { groups, groupCount, queues, queueCount } = ranking.data;
  return (
    <div className="grid2">
      <section className="card" aria-labelledby="lag-groups">
        <h2 id="lag-groups">Stream consumer groups by time lag</h2>
        {groups.length === 0 ? (
          <p className="muted" role="status">
            No stream consumer groups.
          </p>
        ) : (
          <table className="table" aria-label="Stream groups by lag">
            <thead>
              <tr>
                <th>Stream</th>
                <th>Group</th>
                <th className="num">Lag (time)</th>
                <th className="num">Lag (messages)</th>
                <th className="num">Consumers</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={`${g.vhost}\n${g.stream}\n${g.group}`}>
                  <td>
                    <Link href={streamHref(g.vhost, g.stream)}>{g.stream}</Link>
                    {g.vhost !== '/' && <span className="muted"> ({g.vhost})</span>}
                  </td>
                  <td>{g.group}</td>
                  <td className="num">{formatDuration(g.lagMs)}</td>
                  <td className="num">{g.lagMessages.toLocaleString()}</td>
                  <td className={g.consumers === 0 ? 'num error' : 'num'}>{g.consumers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {groupCount > groups.length && <p className="muted">The {groups.length} worst of {groupCount.toLocaleString()} groups.</p>}
      </section>
      <section className="card" aria-labelledby="lag-queues">
        <h2 id="lag-queues">Queues by oldest ready message</h2>
        {queues.length === 0 ? (
          <p className="muted" role="status">
            No queue has ready messages waiting.
          </p>
        ) : (
          <table className="table" aria-label="Queues by oldest message">
            <thead>
              <tr>
                <th>Queue</th>
                <th className="num">Oldest waiting</th>
                <th className="num">Ready</th>
                <th className="num">Consumers</th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={`${q.vhost}\n${q.queue}`}>
                  <td>
                    <Link href={queueHref(q.vhost, q.queue)}>{q.queue}</Link>
                    {q.vhost !== '/' && <span className="muted"> ({q.vhost})</span>}
                  </td>
                  <td className="num">{q.oldestAgeMs === null ? <span className="muted">just arrived</span> : formatDuration(q.oldestAgeMs)}</td>
                  <td className="num">{q.ready.toLocaleString()}</td>
                  <td className={q.consumers === 0 ? 'num error' : 'num'}>{q.consumers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {queueCount > queues.length && <p className="muted">The {queues.length} worst of {queueCount.toLocaleString()} queues with ready messages.</p>}
        <p className="muted">
          A queue&apos;s age is how long its oldest ready message has waited, to the second (for messages older than the broker&apos;s last start, counted from the start).
        </p>
      </section>
    </div>
  );
}
