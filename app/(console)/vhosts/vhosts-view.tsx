'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { useMutate } from '../../_lib/use-mutate';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { ErrorNote } from '../../_components/error-note';

type VhostRow = AppRouterOutputs['vhosts']['list'][number];

const vhostColumns = (onDelete: (name: string) => void): ColumnDef<VhostRow>[] => [
  { id: 'name', accessorKey: 'name', header: 'Name', size: 200, meta: { grow: true } },
  { id: 'queues', accessorKey: 'queues', header: 'Queues', meta: { numeric: true } },
  { id: 'messages', accessorKey: 'messages', header: 'Messages', meta: { numeric: true }, cell: ({ row }) => row.original.messages.toLocaleString() },
  { id: 'exchanges', accessorKey: 'exchanges', header: 'Exchanges', meta: { numeric: true } },
  {
    id: 'actions',
    header: actionsHeader,
    enableSorting: false,
    cell: ({ row: { original: v } }) => (
      <button type="button" className="danger" onClick={() => onDelete(v.name)} aria-label={`Delete vhost ${v.name}`}>
        Delete…
      </button>
    ),
  },
];

export function VhostsView() {
  const trpc = useTRPC();
  const list = useLive(trpc.vhosts.list.queryOptions());
  const [name, setName] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const create = useMutate(trpc.vhosts.create.mutationOptions({ onSuccess: () => setName('') }), trpc.system);
  const del = useMutate(trpc.vhosts.delete.mutationOptions({ onSuccess: () => setDeleting(null) }), trpc.system);
  const columns = vhostColumns(setDeleting);
  const doomed = list.data?.find((v) => v.name === deleting);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name });
  };
  return (
    <>
      <ErrorNote errors={[list.error, del.error]} />
      <div className="card">
        {list.isPending ? (
          <p role="status">Loading vhosts…</p>
        ) : (
          <DataTable label="Vhosts" columns={columns} data={list.data ?? []} getRowId={(v) => v.name} defaultSort={{ id: 'name' }} height="content" />
        )}
      </div>
      <form className="card actions" onSubmit={submit} aria-label="Add a vhost">
        <label>
          New vhost
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="/orders" required />
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Add vhost
        </button>
        <ErrorNote errors={[create.error]} />
      </form>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete vhost ${deleting ?? ''}?`}
        confirmLabel="Delete vhost"
        busy={del.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ name: deleting })}
      >
        <p>
          This deletes its <strong>{doomed?.queues ?? 0}</strong> queue(s) with <strong>{(doomed?.messages ?? 0).toLocaleString()}</strong> message(s), its{' '}
          <strong>{doomed?.exchanges ?? 0}</strong> exchange(s), its policies and every permission on it. Its connections are closed. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
