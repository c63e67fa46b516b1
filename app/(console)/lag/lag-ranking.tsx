'use client';

import Link from 'next/link';
import type { ColumnDef } from '@tanstack/react-table';
import { DataTable } from '../../_components/data-table';
import { useLive } from '../../_lib/use-live';
import { ErrorNote } from '../../_components/error-note';
import { formatDuration } from '../../_lib/format';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { queueHref, streamHref } from '../../_lib/links';
import { UpdatedAgo } from '../../_components/updated-ago';

type Ranking = AppRouterOutputs['lag']['ranking'];

/** A queue's or stream's name linking to its page, with its vhost beside it unless it is '/'. */
const objectLink = (href: string, name: string, vhost: string) => (
  <>
    <Link href={href} title={name}>
      {name}
    </Link>
    {vhost !== '/' && <span className="muted"> ({vhost})</span>}
  </>
);

/** Consumers, in red where there are none. */
function consumersColumn<T extends { consumers: number }>(): ColumnDef<T> {
  return {
    id: 'consumers',
    accessorKey: 'consumers',
    header: 'Consumers',
    size: 95,
    meta: { numeric: true },
    cell: ({ row }) => <span className={row.original.consumers === 0 ? 'error' : undefined}>{row.original.consumers}</span>,
  };
}

const GROUP_COLUMNS: ColumnDef<Ranking['groups'][number]>[] = [
  {
    id: 'stream',
    accessorKey: 'stream',
    header: 'Stream',
    size: 200,
    meta: { grow: true },
    cell: ({ row: { original: g } }) => objectLink(streamHref(g.vhost, g.stream), g.stream, g.vhost),
  },
  { id: 'group', accessorKey: 'group', header: 'Group', size: 120 },
  { id: 'lagMs', accessorKey: 'lagMs', header: 'Lag (time)', size: 100, meta: { numeric: true }, cell: ({ row }) => formatDuration(row.original.lagMs) },
  {
    id: 'lagMessages',
    accessorKey: 'lagMessages',
    header: 'Lag (messages)',
    size: 120,
    meta: { numeric: true },
    cell: ({ row }) => row.original.lagMessages.toLocaleString(),
  },
  consumersColumn(),
];

type QueueLag = Ranking['queues'][number];

const AGE_FROM = {
  timestamp: "from the message's timestamp property",
  arrival: 'since Warren received it',
} as const;

const queueColumns = (first: 'growth' | 'oldest'): ColumnDef<QueueLag>[] => {
  const growth: ColumnDef<QueueLag> = {
    id: 'growth',
    accessorFn: (q) => q.growthPerSecond ?? 0,
    header: 'Growth (in − out)',
    size: 130,
    meta: { numeric: true },
    cell: ({ row: { original: q } }) =>
      q.growthPerSecond === null ? <span className="muted">—</span> : `${q.growthPerSecond > 0 ? '+' : ''}${q.growthPerSecond.toFixed(1)}/s`,
  };
  const oldest: ColumnDef<QueueLag> = {
    id: 'oldest',
    accessorFn: (q) => q.oldestAgeMs ?? -1,
    header: 'Oldest waiting',
    size: 120,
    meta: { numeric: true },
    cell: ({ row: { original: q } }) =>
      q.oldestAgeMs === null ? <span className="muted">just arrived</span> : <span title={AGE_FROM[q.ageFrom]}>{formatDuration(q.oldestAgeMs)}</span>,
  };
  return [
    {
      id: 'queue',
      accessorKey: 'queue',
      header: 'Queue',
      size: 200,
      meta: { grow: true },
      cell: ({ row: { original: q } }) => objectLink(queueHref(q.vhost, q.queue), q.queue, q.vhost),
    },
    ...(first === 'growth' ? [growth, oldest] : [oldest, growth]),
    { id: 'ready', accessorKey: 'ready', header: 'Ready', size: 90, meta: { numeric: true }, cell: ({ row }) => row.original.ready.toLocaleString() },
    consumersColumn(),
  ];
};
const GROWTH_COLUMNS = queueColumns('growth');
const AGE_COLUMNS = queueColumns('oldest');

/** What is behind the most, worst first: queues by growth and by the age of their oldest ready message, stream groups by time lag. */
export function LagRanking() {
  const trpc = useTRPC();
  const ranking = useLive(trpc.lag.ranking.queryOptions({}));
  if (ranking.isPending) return <p role="status">Loading…</p>;
  if (ranking.isError) return <ErrorNote errors={[ranking.error]} />;
  const { groups, groupCount, growing, growingCount, queues, queueCount } = ranking.data;
  const updated = <UpdatedAgo at={ranking.dataUpdatedAt} />;
  return (
    <div className="grid2">
      <section className="card" aria-labelledby="lag-growing">
        <h2 id="lag-growing">Queues by growth {updated}</h2>
        {growing.length === 0 ? (
          <p className="muted" role="status">
            No queue is growing.
          </p>
        ) : (
          <DataTable
            label="Queues by growth"
            columns={GROWTH_COLUMNS}
            data={growing}
            getRowId={(q) => `${q.vhost}\n${q.queue}`}
            urlPrefix="growing."
            defaultSort={{ id: 'growth', desc: true }}
            height="content"
          />
        )}
        {growingCount > growing.length && (
          <p className="muted">
            The {growing.length} fastest of {growingCount.toLocaleString()} growing queues.
          </p>
        )}
        <p className="muted">Growth is how much faster messages came in than they left (acked, expired, dropped), over the last ten seconds.</p>
      </section>
      <section className="card" aria-labelledby="lag-groups">
        <h2 id="lag-groups">Stream consumer groups by time lag {updated}</h2>
        {groups.length === 0 ? (
          <p className="muted" role="status">
            No stream consumer groups.
          </p>
        ) : (
          <DataTable
            label="Stream groups by lag"
            columns={GROUP_COLUMNS}
            data={groups}
            getRowId={(g) => `${g.vhost}\n${g.stream}\n${g.group}`}
            urlPrefix="groups."
            height="content"
          />
        )}
        {groupCount > groups.length && (
          <p className="muted">
            The {groups.length} worst of {groupCount.toLocaleString()} groups.
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="lag-queues">
        <h2 id="lag-queues">Queues by oldest ready message {updated}</h2>
        {queues.length === 0 ? (
          <p className="muted" role="status">
            No queue has ready messages waiting.
          </p>
        ) : (
          <DataTable
            label="Queues by oldest message"
            columns={AGE_COLUMNS}
            data={queues}
            getRowId={(q) => `${q.vhost}\n${q.queue}`}
            urlPrefix="queues."
            height="content"
          />
        )}
        {queueCount > queues.length && (
          <p className="muted">
            The {queues.length} worst of {queueCount.toLocaleString()} queues with ready messages.
          </p>
        )}
        <p className="muted">
          A queue&apos;s age is how long its oldest ready message has waited: from its timestamp property when the publisher set one, otherwise since Warren
          received it (to the second, kept across restarts).
        </p>
      </section>
    </div>
  );
}
