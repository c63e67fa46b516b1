'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { DataTable } from '../../_components/data-table';
import { DateTime } from '../../_components/date-time';
import { ErrorNote } from '../../_components/error-note';

type AuditEntry = AppRouterOutputs['audit']['list'][number];

const AUDIT_COLUMNS: ColumnDef<AuditEntry>[] = [
  { id: 'time', accessorKey: 'time', header: 'Time', size: 170, cell: ({ row }) => <DateTime ms={row.original.time} /> },
  { id: 'user', accessorKey: 'user', header: 'User', size: 100 },
  { id: 'address', accessorKey: 'address', header: 'Address', size: 120, meta: { hideable: true } },
  { id: 'action', accessorKey: 'action', header: 'Action', size: 150 },
  { id: 'target', accessorKey: 'target', header: 'Target', size: 280, meta: { wrap: true } },
  { id: 'details', accessorFn: (e) => JSON.stringify(e.details), header: 'Details', size: 240, enableSorting: false, meta: { wrap: true, grow: true } },
];

export default function AdminPage() {
  const trpc = useTRPC();
  const audit = useLive(trpc.audit.list.queryOptions({ limit: 200 }));
  return (
    <section>
      <h1>Admin</h1>
      <p className="muted">
        Users, vhosts and permissions have their own pages; the audit log below records every change made from the console: who, from which address, what.
      </p>
      <div className="card">
        <h2>Audit log</h2>
        {audit.isPending && <p role="status">Loading…</p>}
        <ErrorNote errors={[audit.error]} />
        {audit.data?.length === 0 && <p className="muted">Nothing recorded yet.</p>}
        {audit.data && audit.data.length > 0 && (
          <DataTable
            label="Audit log"
            columns={AUDIT_COLUMNS}
            data={audit.data}
            getRowId={(e) => String(e.id)}
            defaultSort={{ id: 'time', desc: true }}
            filterLabel="Filter the log"
          />
        )}
      </div>
    </section>
  );
}
