'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { useMutate } from '../../_lib/use-mutate';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { useUrlState } from '../../_lib/use-url-state';
import { useMe } from '../../_lib/use-me';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { PolicyForm, type PolicyDraft } from './policy-form';

const EMPTY: PolicyDraft = { name: '', pattern: '', applyTo: 'queues', priority: '0', rows: [{ key: 'max-length', value: '' }] };

/** A definition value as typed in the form: lists joined by commas. */
function valueText(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

type Policy = AppRouterOutputs['policies']['list'][number];

const policyColumns = (mayEdit: boolean, onEdit: (p: Policy) => void, onDelete: (name: string) => void): ColumnDef<Policy>[] => [
  { id: 'name', accessorKey: 'name', header: 'Name', size: 170 },
  { id: 'pattern', accessorKey: 'pattern', header: 'Pattern', size: 150, cell: ({ row }) => <code>{row.original.pattern}</code> },
  { id: 'applyTo', accessorKey: 'applyTo', header: 'Applies to', size: 100 },
  { id: 'priority', accessorKey: 'priority', header: 'Priority', size: 80, meta: { numeric: true } },
  {
    id: 'definition',
    header: 'Definition',
    size: 260,
    enableSorting: false,
    meta: { wrap: true, grow: true },
    cell: ({ row }) =>
      Object.entries(row.original.definition).map(([key, value]) => (
        <span key={key} className="badge">
          {key}: {valueText(value)}
        </span>
      )),
  },
  { id: 'queues', accessorFn: (p) => p.appliesTo.queues, header: 'Queues', size: 80, meta: { numeric: true } },
  { id: 'exchanges', accessorFn: (p) => p.appliesTo.exchanges, header: 'Exchanges', size: 95, meta: { numeric: true } },
  {
    id: 'actions',
    header: actionsHeader,
    size: 150,
    enableSorting: false,
    cell: ({ row: { original: p } }) =>
      mayEdit && (
        <span className="actions">
          <button type="button" onClick={() => onEdit(p)} aria-label={`Edit policy ${p.name}`}>
            Edit
          </button>
          <button type="button" className="danger" onClick={() => onDelete(p.name)} aria-label={`Delete policy ${p.name}`}>
            Delete…
          </button>
        </span>
      ),
  },
];

export function PoliciesView() {
  const trpc = useTRPC();
  const [state] = useUrlState({ vhost: '/' });
  const mayEdit = useMe().canSetPolicies(state.vhost);
  const list = useLive(trpc.policies.list.queryOptions({ vhost: state.vhost }));
  const [draft, setDraft] = useState<PolicyDraft>(EMPTY);
  const [deleting, setDeleting] = useState<string | null>(null);
  const del = useMutate(trpc.policies.delete.mutationOptions({ onSuccess: () => setDeleting(null) }), trpc.queues, trpc.exchanges);

  const edit = (p: Policy) =>
    setDraft({
      name: p.name,
      pattern: p.pattern,
      applyTo: p.applyTo,
      priority: String(p.priority),
      rows: Object.entries(p.definition).map(([key, value]) => ({ key, value: valueText(value) })),
    });

  return (
    <>
      <ErrorNote errors={[list.error, del.error]} />
      <div className="card">
        {list.isPending ? (
          <p role="status">Loading policies…</p>
        ) : list.data && list.data.length === 0 ? (
          <p className="muted">
            No policies in vhost {state.vhost} yet. Add one below: for example pattern <code>^orders</code> with max-length 10000.
          </p>
        ) : (
          <DataTable
            label="Policies"
            columns={policyColumns(mayEdit, edit, setDeleting)}
            data={list.data ?? []}
            getRowId={(p) => p.name}
            defaultSort={{ id: 'name' }}
            height="content"
          />
        )}
      </div>
      {!mayEdit && <p className="muted">Setting policies in vhost {state.vhost} needs the policymaker tag and a permission on it.</p>}
      {mayEdit && <PolicyForm vhost={state.vhost} draft={draft} onChange={setDraft} onSaved={() => setDraft(EMPTY)} />}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete policy ${deleting ?? ''}?`}
        confirmLabel="Delete policy"
        busy={del.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ vhost: state.vhost, name: deleting })}
      >
        <p>
          The queues and exchanges it applies to fall back to their own arguments (or to the next matching policy) at once. Messages held in retry tiers it set
          go back to their queues now.
        </p>
      </ConfirmDialog>
    </>
  );
}
