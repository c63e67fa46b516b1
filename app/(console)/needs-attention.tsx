'use client';

import Link from 'next/link';
import type { ColumnDef } from '@tanstack/react-table';
import { DataTable } from '../_components/data-table';
import { ErrorNote } from '../_components/error-note';
import { UpdatedAgo } from '../_components/updated-ago';
import { queueHref, streamHref } from '../_lib/links';
import { useTRPC, type AppRouterOutputs } from '../_lib/trpc';
import { useLive } from '../_lib/use-live';

type Row = AppRouterOutputs['attention']['now']['rows'][number] & { rank: number };
type Target = Row['target'];

/** Where a row leads: the queue, the stream (its groups' lag), or for an alarm the connections it blocks. */
function targetLink(t: Target): { href: string; label: string } {
  if (t.kind === 'queue') return { href: queueHref(t.vhost, t.name), label: t.name };
  if (t.kind === 'stream') return { href: streamHref(t.vhost, t.name), label: `${t.name} / ${t.group}` };
  return { href: '/connections', label: `${t.source} alarm` };
}

const vhostOf = (t: Target) => (t.kind === 'broker' || t.vhost === '/' ? null : t.vhost);

const COLUMNS: ColumnDef<Row>[] = [
  { id: 'rank', accessorKey: 'rank', header: '#', size: 50, meta: { numeric: true } },
  {
    id: 'severity',
    accessorKey: 'severity',
    header: 'Severity',
    size: 95,
    enableSorting: false,
    cell: ({ row }) => <span className={`attention-severity attention-${row.original.severity}`}>{row.original.severity}</span>,
  },
  {
    id: 'what',
    header: 'What',
    size: 240,
    enableSorting: false,
    cell: ({ row: { original: r } }) => {
      const link = targetLink(r.target);
      const vhost = vhostOf(r.target);
      return (
        <>
          <Link href={link.href} title={link.label}>
            {link.label}
          </Link>
          {vhost && <span className="muted"> ({vhost})</span>}
        </>
      );
    },
  },
  {
    id: 'why',
    header: 'Why',
    size: 420,
    enableSorting: false,
    meta: { grow: true, wrap: true },
    cell: ({ row: { original: r } }) => (
      <>
        {r.summary}
        {r.alsoSummaries.map((also) => (
          <div key={also}>{also}</div>
        ))}
      </>
    ),
  },
];

/** The overview's first card: what is wrong now, worst first (ranked on the server, server/attention/). */
export function NeedsAttention() {
  const trpc = useTRPC();
  const attention = useLive(trpc.attention.now.queryOptions());
  const rows = (attention.data?.rows ?? []).map((r, i) => ({ ...r, rank: i + 1 }));
  return (
    <section className="card" aria-labelledby="attention-title">
      <h2 id="attention-title">
        Needs attention <UpdatedAgo at={attention.dataUpdatedAt} />
      </h2>
      {attention.isPending && <p role="status">Looking for trouble…</p>}
      <ErrorNote errors={[attention.error]} />
      {attention.data &&
        (rows.length === 0 ? (
          <p role="status" className="attention-all-well">
            All is well: no queue growing or waiting without a consumer, no consumer saturated, no dead letters arriving, no stream group behind, no alarm.
          </p>
        ) : (
          <DataTable
            label="Needs attention"
            columns={COLUMNS}
            data={rows}
            getRowId={(r) => JSON.stringify(r.target)}
            rowLabel={(r) => `${targetLink(r.target).label}: ${r.summary}`}
            defaultSort={{ id: 'rank' }}
            urlPrefix="attention."
            height="content"
          />
        ))}
      {attention.data && attention.data.total > rows.length && (
        <p className="muted">
          The {rows.length} worst of {attention.data.total.toLocaleString()}.
        </p>
      )}
    </section>
  );
}
