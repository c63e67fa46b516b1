'use client';

import Link from 'next/link';
import { useQueries, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useCallback, useState } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { useUrlState } from '../../_lib/use-url-state';
import { useTableState } from '../../_lib/use-table-state';
import { LIVE_MS } from '../../_lib/use-live';
import { formatBytes } from '../../_lib/format';
import { DataTable } from '../../_components/data-table';
import { Sparkline } from '../../_components/sparkline';
import { ArgumentBadges } from './argument-badges';
import { QueueStateText } from './queue-state-text';
import { QUEUE_SORT_COLUMNS, type QueueSortColumn } from '../../../server/api/routers/queue-sort';
import type { AppRouterOutputs } from '../../_lib/trpc';
import { ErrorNote } from '../../_components/error-note';
import { queueHref } from '../../_lib/links';

const BLOCK = 100; // rows fetched per request: the browser only asks for what is on screen

type QueueRow = AppRouterOutputs['queues']['list']['rows'][number];

const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
/** Depth now minus a minute ago (or since the sparkline's first point). */
const growth = (q: QueueRow) => (q.depth.length > 1 ? q.depth[q.depth.length - 1]! - q.depth[0]! : 0);

const sortable = (id: string) => (QUEUE_SORT_COLUMNS as readonly string[]).includes(id);
/**
 * Only the columns the server sorts by get a sort button. TanStack Table offers
 * sorting on columns with an accessor; the rows arrive sorted, so any will do.
 */
const serverSorted = (columns: ColumnDef<QueueRow>[]): ColumnDef<QueueRow>[] =>
  columns.map((c) => (sortable(c.id ?? '') ? { ...c, accessorFn: (q: QueueRow) => q.name } : { ...c, enableSorting: false }));

// The name first (pinned); growth and the sparkline beside Ready, where the eye goes; low-value columns hideable.
const COLUMNS = serverSorted([
  {
    id: 'name',
    header: 'Name',
    size: 240,
    meta: { grow: true },
    cell: ({ row: { original: q } }) => (
      <>
        <Link href={queueHref(q.vhost, q.name)} title={q.vhost === '/' ? q.name : `${q.name} (vhost ${q.vhost})`}>
          {q.name}
        </Link>
        {q.paused && (
          <span className="badge" title="Delivery paused from the console">
            {' '}
            paused
          </span>
        )}
      </>
    ),
  },
  { id: 'ready', header: 'Ready', size: 90, meta: { numeric: true }, cell: ({ row }) => row.original.ready.toLocaleString() },
  {
    id: 'growth',
    header: 'Δ/min',
    size: 80,
    meta: { numeric: true },
    cell: ({ row }) => {
      const g = growth(row.original);
      return <span title="Change in depth over the last minute">{g > 0 ? `+${g.toLocaleString()}` : g.toLocaleString()}</span>;
    },
  },
  { id: 'depth', header: 'Depth, 1 min', size: 110, cell: ({ row }) => <Sparkline values={row.original.depth} label={`Depth of ${row.original.name}`} /> },
  { id: 'unacked', header: 'Unacked', size: 85, meta: { numeric: true }, cell: ({ row }) => row.original.unacked.toLocaleString() },
  { id: 'total', header: 'Total', size: 85, meta: { numeric: true, hideable: true }, cell: ({ row }) => row.original.total.toLocaleString() },
  { id: 'incoming', header: 'In/s', size: 70, meta: { numeric: true }, cell: ({ row }) => rate(row.original.rates.incoming) },
  { id: 'deliver', header: 'Deliver/s', size: 85, meta: { numeric: true }, cell: ({ row }) => rate(row.original.rates.deliver) },
  { id: 'ack', header: 'Ack/s', size: 70, meta: { numeric: true, hideable: true }, cell: ({ row }) => rate(row.original.rates.ack) },
  { id: 'consumers', header: 'Consumers', size: 100, meta: { numeric: true }, cell: ({ row }) => row.original.consumers },
  {
    id: 'state',
    header: 'State',
    size: 160,
    cell: ({ row }) => <QueueStateText state={row.original.state} />,
  },
  { id: 'bytes', header: 'Bytes', size: 90, meta: { numeric: true, hideable: true }, cell: ({ row }) => formatBytes(row.original.readyBytes) },
  { id: 'vhost', header: 'Vhost', size: 80, meta: { hideable: true }, cell: ({ row }) => row.original.vhost },
  { id: 'type', header: 'Type', size: 75, meta: { hideable: true }, cell: ({ row }) => row.original.type },
  {
    id: 'features',
    header: 'Features',
    size: 150,
    meta: { hideable: true },
    cell: ({ row: { original: q } }) => (
      <ArgumentBadges args={q.effectiveArguments} policy={q.policy} durable={q.durable} exclusive={q.exclusive} autoDelete={q.autoDelete} />
    ),
  },
]);

/** In a cluster: which node serves each queue (after Consumers). */
const NODE_COLUMN: ColumnDef<QueueRow> = {
  id: 'node',
  header: 'Node',
  size: 110,
  enableSorting: false,
  meta: { hideable: true },
  cell: ({ row }) => row.original.node ?? <span className="muted">none now</span>,
};

const CLUSTER_COLUMNS = [
  ...COLUMNS.slice(
    0,
    COLUMNS.findIndex((c) => c.id === 'state'),
  ),
  NODE_COLUMN,
  ...COLUMNS.slice(COLUMNS.findIndex((c) => c.id === 'state')),
];

/** Every queue, sorted and filtered on the server; only the blocks of rows on screen are fetched. */
export function QueueTable() {
  const trpc = useTRPC();
  const table = useTableState('', { sort: 'name' });
  const [extra, setExtra] = useUrlState({ vhost: '', regex: '' });
  const [range, setRange] = useState({ first: 0, last: 0 });
  const vhosts = useQuery(trpc.system.vhosts.queryOptions());

  const sort = table.sorting[0];
  const base = {
    vhost: extra.vhost || undefined,
    filter: table.filter,
    regex: extra.regex === '1',
    sort: (sort && sortable(sort.id) ? sort.id : 'name') as QueueSortColumn,
    dir: sort?.desc ? ('desc' as const) : ('asc' as const),
  };
  const blocks: number[] = [];
  for (let b = Math.floor(range.first / BLOCK); b <= Math.floor(range.last / BLOCK); b++) blocks.push(b);
  const pages = useQueries({
    queries: blocks.map((b) => ({
      ...trpc.queues.list.queryOptions({ ...base, offset: b * BLOCK, limit: BLOCK }),
      refetchInterval: LIVE_MS,
      placeholderData: (prev: unknown) => prev as never,
    })),
  });

  const total = pages.find((p) => p.data)?.data?.total;
  const error = pages.find((p) => p.error)?.error;
  // The loaded blocks in a row from the first: what the table can draw.
  const data: QueueRow[] = [];
  for (const p of pages) {
    if (!p.data) break;
    data.push(...p.data.rows);
  }
  // A node column only in a cluster, where some queue has a serving node.
  const clustered = data.some((q) => q.node !== null);
  const onRange = useCallback((first: number, last: number) => setRange((r) => (r.first === first && r.last === last ? r : { first, last })), []);

  // New sorting starts with the largest numbers first; names A to Z.
  const state = {
    ...table,
    setSorting: (next: typeof table.sorting) => {
      const id = next[0]?.id;
      if (id && id !== sort?.id) table.setSorting([{ id, desc: id !== 'name' && id !== 'vhost' && id !== 'type' }]);
      else table.setSorting(next);
    },
  };

  return (
    <div>
      <ErrorNote errors={[error]} />
      <DataTable
        label="Queues"
        columns={clustered ? CLUSTER_COLUMNS : COLUMNS}
        data={data}
        getRowId={(q) => `${q.vhost}\n${q.name}`}
        state={state}
        filterLabel="Filter by name"
        remote={{ total: total ?? 0, offset: Math.floor(range.first / BLOCK) * BLOCK, onRange }}
        empty={total === 0 ? (table.filter ? 'No queue matches this filter.' : 'No queues yet. Declare one from a client or the publish page.') : undefined}
        toolbar={
          <>
            <label>
              <input type="checkbox" checked={extra.regex === '1'} onChange={(e) => setExtra({ regex: e.target.checked ? '1' : '' })} /> Regex
            </label>
            <label>
              Vhost{' '}
              <select value={extra.vhost} onChange={(e) => setExtra({ vhost: e.target.value })}>
                <option value="">All</option>
                {vhosts.data?.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted" role="status" aria-live="polite">
              {total === undefined ? 'Loading…' : `${total.toLocaleString()} ${total === 1 ? 'queue' : 'queues'}`}
            </span>
          </>
        }
      />
    </div>
  );
}
