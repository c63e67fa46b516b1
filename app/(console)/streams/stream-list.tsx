'use client';

import Link from 'next/link';
import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useRef, useState } from 'react';
import { DataTable } from '../../_components/data-table';
import { useLive } from '../../_lib/use-live';
import { UpdatedAgo } from '../../_components/updated-ago';
import { DateTime } from '../../_components/date-time';
import { ErrorNote } from '../../_components/error-note';
import { formatBytes } from '../../_lib/format';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { streamHref } from '../../_lib/links';

/** Published and delivered counters of every stream at one moment, to turn the next sample into rates. */
interface CounterSample {
  at: number;
  counts: Map<string, { published: number; delivered: number }>;
}

const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

type Stream = AppRouterOutputs['streams']['list'][number];
type Rates = Map<string, { publish: number; deliver: number }>;
const streamKey = (s: { vhost: string; name: string }) => `${s.vhost}\n${s.name}`;

const streamColumns = (rates: Rates): ColumnDef<Stream>[] => [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Name',
    size: 200,
    meta: { grow: true },
    cell: ({ row: { original: s } }) => (
      <Link href={streamHref(s.vhost, s.name)} title={s.name}>
        {s.name}
      </Link>
    ),
  },
  { id: 'vhost', accessorKey: 'vhost', header: 'Vhost', size: 80, meta: { hideable: true } },
  {
    id: 'messages',
    accessorKey: 'messages',
    header: 'Messages',
    size: 100,
    meta: { numeric: true },
    cell: ({ row }) => row.original.messages.toLocaleString(),
  },
  { id: 'bytes', accessorKey: 'bytes', header: 'Size', size: 90, meta: { numeric: true }, cell: ({ row }) => formatBytes(row.original.bytes) },
  { id: 'segments', accessorKey: 'segments', header: 'Segments', size: 90, meta: { numeric: true, hideable: true } },
  {
    id: 'firstOffset',
    accessorKey: 'firstOffset',
    header: 'First offset',
    size: 100,
    meta: { numeric: true, hideable: true },
    cell: ({ row }) => row.original.firstOffset ?? '—',
  },
  {
    id: 'firstTime',
    accessorKey: 'firstTimestamp',
    header: 'First time',
    size: 170,
    meta: { hideable: true },
    cell: ({ row }) => <DateTime ms={row.original.firstTimestamp} />,
  },
  { id: 'lastOffset', accessorKey: 'lastOffset', header: 'Last offset', size: 100, meta: { numeric: true }, cell: ({ row }) => row.original.lastOffset ?? '—' },
  { id: 'lastTime', accessorKey: 'lastTimestamp', header: 'Last time', size: 170, cell: ({ row }) => <DateTime ms={row.original.lastTimestamp} /> },
  {
    id: 'publish',
    accessorFn: (s) => rates.get(streamKey(s))?.publish ?? 0,
    header: 'Publish/s',
    size: 90,
    meta: { numeric: true },
    cell: ({ row }) => {
      const r = rates.get(streamKey(row.original));
      return r ? rate(r.publish) : '—';
    },
  },
  {
    id: 'deliver',
    accessorFn: (s) => rates.get(streamKey(s))?.deliver ?? 0,
    header: 'Deliver/s',
    size: 90,
    meta: { numeric: true },
    cell: ({ row }) => {
      const r = rates.get(streamKey(row.original));
      return r ? rate(r.deliver) : '—';
    },
  },
  { id: 'consumers', accessorKey: 'consumers', header: 'Consumers', size: 95, meta: { numeric: true } },
  { id: 'groups', accessorKey: 'groups', header: 'Groups', size: 80, meta: { numeric: true } },
];

/** Every stream with its size, segments, first and last offset and time, and publish/deliver rates. */
export function StreamList() {
  const trpc = useTRPC();
  const streams = useLive(trpc.streams.list.queryOptions({}));
  const previous = useRef<CounterSample | null>(null);
  const [rates, setRates] = useState<Rates>(new Map());

  useEffect(() => {
    if (!streams.data) return;
    const at = streams.dataUpdatedAt;
    const counts = new Map(streams.data.map((s) => [streamKey(s), { published: s.published, delivered: s.delivered }]));
    const before = previous.current;
    if (before && at > before.at) {
      const seconds = (at - before.at) / 1000;
      const next: Rates = new Map();
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
    <DataTable
      label="Streams"
      columns={streamColumns(rates)}
      data={streams.data}
      getRowId={streamKey}
      defaultSort={{ id: 'name' }}
      toolbar={<UpdatedAgo at={streams.dataUpdatedAt} />}
    />
  );
}
