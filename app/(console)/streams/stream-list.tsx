'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { DateTime } from '../../_components/date-time';
import { ErrorNote } from '../../_components/error-note';
import { formatBytes } from '../../_lib/format';
import { useTRPC } from '../../_lib/trpc';

/** Published and delivered counters of every stream at one moment, to turn the next sample into rates. */
interface CounterSample {
  at: number;
  counts: Map<string, { published: number; delivered: number }>;
}

const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** Every stream with its size, segments, first and last offset and time, and publish/deliver rates. */
export function StreamList() {
  const trpc = useTRPC();
  const streams = useQuery({ ...trpc.streams.list.queryOptions({}), refetchInterval: 1_000 });
  const previous = useRef<CounterSample | null>(null);
  const [rates, setRates] = useState(new Map<string, { publish: number; deliver: number }>());

  useEffect(() => {
    if (!streams.data) return;
    const at = streams.dataUpdatedAt;
    const counts = new Map(streams.data.map((s) => [`${s.vhost}\n${s.name}`, { published: s.published, delivered: s.delivered }]));
    const before = previous.current;
    if (before && at > before.at) {
      const seconds = (at - before.at) / 1000;
      const next = new Map<string, { publish: number; deliver: number }>();
      for (const [key, c] of counts) {
        const b = before.counts.get(key);
        if (b) next.set(key, { publish: Math.max(0, c.published - b.published) / seconds, deliver: Math.max(0, c.delivered - b.delivered) / seconds });
      }
      setRates(next);
    }
    previous.current = { at, counts };
  }, [streams.data, streams.dataUpdatedAt]);

  if (streams.isPending) return <p role="status">Loading streams…</p>;
  if (streams.isError) return <ErrorNote errors={[streams.error]} />;
  if (streams.data.length === 0)
    return (
      <div className="empty" role="status">
        No streams yet. Declare a queue with <code>x-queue-type: stream</code>.
      </div>
    );
  return (
    <table className="table" aria-label="Streams">
      <thead>
        <tr>
          <th>Name</th>
          <th>Vhost</th>
          <th className="num">Messages</th>
          <th className="num">Size</th>
          <th className="num">Segments</th>
          <th className="num">First offset</th>
          <th>First time</th>
          <th className="num">Last offset</th>
          <th>Last time</th>
          <th className="num">Publish/s</th>
          <th className="num">Deliver/s</th>
          <th className="num">Consumers</th>
          <th className="num">Groups</th>
        </tr>
      </thead>
      <tbody>
        {streams.data.map((s) => {
          const r = rates.get(`${s.vhost}\n${s.name}`);
          return (
            <tr key={`${s.vhost}\n${s.name}`}>
              <td>
                <Link href={`/streams/view?vhost=${encodeURIComponent(s.vhost)}&name=${encodeURIComponent(s.name)}`}>{s.name}</Link>
              </td>
              <td>{s.vhost}</td>
              <td className="num">{s.messages.toLocaleString()}</td>
              <td className="num">{formatBytes(s.bytes)}</td>
              <td className="num">{s.segments}</td>
              <td className="num">{s.firstOffset ?? '—'}</td>
              <td><DateTime ms={s.firstTimestamp} /></td>
              <td className="num">{s.lastOffset ?? '—'}</td>
              <td><DateTime ms={s.lastTimestamp} /></td>
              <td className="num">{r ? rate(r.publish) : '—'}</td>
              <td className="num">{r ? rate(r.deliver) : '—'}</td>
              <td className="num">{s.consumers}</td>
              <td className="num">{s.groups}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
