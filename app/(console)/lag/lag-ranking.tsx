'use client';

import Link from 'next/link';
import type { ColumnDef } from '@tanstack/react-table';
import { DataTable } from '../../_components/data-table';
import { useLive } from '../../_lib/use-live';
import { ErrorNote } from '../../_components/error-note';
import { formatDuration } from '../../_lib/format';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { queueHref, streamHref } from '../../_lib/links';

type Ranking = AppRouterOutputs['lag']['ranking'];
const vhostNote = (vhost: string) => vhost !== '/' && <span className="muted"> ({vhost})</span>;

const GROUP_COLUMNS: ColumnDef<Ranking['groups'][number]>[] = [
  {
    id: 'stream',
    accessorKey: 'stream',
    header: 'Stream',
    size: 200,
    meta: { grow: true },
    cell: ({ row: { original: g } }) => (
      <>
        <Link href={streamHref(g.vhost, g.stream)} title={g.stream}>
          {g.stream}
        </Link>
        {vhostNote(g.vhost)}
      </>
    ),
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
  {
    id: 'consumers',
    accessorKey: 'consumers',
    header: 'Consumers',
    size: 95,
    meta: { numeric: true },
    cell: ({ row }) => <span className={row.original.consumers === 0 ? 'error' : undefined}>{row.original.consumers}</span>,
  },
];

const QUEUE_COLUMNS: ColumnDef<Ranking['queues'][number]>[] = [
  {
    id: 'queue',
    accessorKey: 'queue',
    header: 'Queue',
    size: 200,
    meta: { grow: true },
    cell: ({ row: { original: q } }) => (
      <>
        <Link href={queueHref(q.vhost, q.queue)} title={q.queue}>
          {q.queue}
        </Link>
        {vhostNote(q.vhost)}
      </>
    ),
  },
  {
    id: 'oldest',
    accessorFn: (q) => q.oldestAgeMs ?? -1,
    header: 'Oldest waiting',
    size: 120,
    meta: { numeric: true },
    cell: ({ row: { original: q } }) => (q.oldestAgeMs === null ? <span className="muted">just arrived</span> : formatDuration(q.oldestAgeMs)),
  },
  { id: 'ready', accessorKey: 'ready', header: 'Ready', size: 90, meta: { numeric: true }, cell: ({ row }) => row.original.ready.toLocaleString() },
  {
    id: 'consumers',
    accessorKey: 'consumers',
    header: 'Consumers',
    size: 95,
    meta: { numeric: true },
    cell: ({ row }) => <span className={row.original.consumers === 0 ? 'error' : undefined}>{row.original.consumers}</span>,
  },
];

/** What is behind the most, worst first: stream groups by time lag, queues by the age of their oldest ready message. */
export function LagRanking() {
  const trpc = useTRPC();
  const ranking = useLive(trpc.lag.ranking.queryOptions({}));
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
        <h2 id="lag-queues">Queues by oldest ready message</h2>
        {queues.length === 0 ? (
          <p className="muted" role="status">
            No queue has ready messages waiting.
          </p>
        ) : (
          <DataTable
            label="Queues by oldest message"
            columns={QUEUE_COLUMNS}
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
          A queue&apos;s age is how long its oldest ready message has waited, to the second (for messages older than the broker&apos;s last start, counted from
          the start).
        </p>
      </section>
    </div>
  );
}
