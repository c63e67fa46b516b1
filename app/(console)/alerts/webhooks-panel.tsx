'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { DateTime } from '../../_components/date-time';
import { ErrorNote } from '../../_components/error-note';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { useMutate } from '../../_lib/use-mutate';

type Webhook = AppRouterOutputs['alerts']['webhooks'][number];

interface WebhookDraft {
  id?: number;
  name: string;
  url: string;
  secret: string;
  format: 'warren' | 'slack';
}

const EMPTY: WebhookDraft = { name: '', url: '', secret: '', format: 'warren' };

function lastResult(w: Webhook) {
  const r = w.lastResult;
  if (!r) return <span className="muted">nothing sent yet</span>;
  const outcome = r.ok ? `delivered (HTTP ${r.status})` : `failed: ${r.error ?? `HTTP ${r.status}`}`;
  return (
    <>
      {outcome}, {r.attempts} attempt{r.attempts === 1 ? '' : 's'}, <DateTime ms={r.at} />
    </>
  );
}

const columns = (mayEdit: boolean, onEdit: (w: Webhook) => void, onDelete: (w: Webhook) => void): ColumnDef<Webhook>[] => [
  { id: 'name', accessorKey: 'name', header: 'Name', size: 160 },
  { id: 'format', accessorKey: 'format', header: 'Format', size: 90 },
  { id: 'url', accessorKey: 'url', header: 'Address', size: 260, cell: ({ row }) => <code>{row.original.url}</code> },
  { id: 'last', header: 'Last notification', size: 320, enableSorting: false, meta: { grow: true, wrap: true }, cell: ({ row }) => lastResult(row.original) },
  {
    id: 'actions',
    header: actionsHeader,
    size: 150,
    enableSorting: false,
    cell: ({ row: { original: w } }) =>
      mayEdit && (
        <span className="actions">
          <button type="button" onClick={() => onEdit(w)} aria-label={`Edit webhook ${w.name}`}>
            Edit
          </button>
          <button type="button" className="danger" onClick={() => onDelete(w)} aria-label={`Delete webhook ${w.name}`}>
            Delete…
          </button>
        </span>
      ),
  },
];

/** The webhooks alert rules send to: a list, and for administrators a form to add or change one. */
export function WebhooksPanel({ mayEdit }: { mayEdit: boolean }) {
  const trpc = useTRPC();
  const list = useLive(trpc.alerts.webhooks.queryOptions());
  const [draft, setDraft] = useState<WebhookDraft>(EMPTY);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const save = useMutate(trpc.alerts.saveWebhook.mutationOptions({ onSuccess: () => setDraft(EMPTY) }));
  const del = useMutate(trpc.alerts.deleteWebhook.mutationOptions({ onSuccess: () => setDeleting(null) }));
  const set = (change: Partial<WebhookDraft>) => setDraft({ ...draft, ...change });
  const editing = draft.id !== undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(draft);
  };
  const cancel = () => {
    save.reset();
    setDraft(EMPTY);
  };

  return (
    <div className="card">
      <h2>Webhooks</h2>
      <ErrorNote errors={[list.error, del.error]} />
      <DataTable
        label="Webhooks"
        columns={columns(
          mayEdit,
          (w) => setDraft({ id: w.id, name: w.name, url: w.url, secret: '', format: w.format === 'slack' ? 'slack' : 'warren' }),
          setDeleting,
        )}
        data={list.data ?? []}
        getRowId={(w) => String(w.id)}
        defaultSort={{ id: 'name' }}
        urlPrefix="hooks."
        height="content"
        empty={<p className="muted">{list.isPending ? 'Loading…' : 'No webhooks yet: alerts are shown and recorded only.'}</p>}
      />
      {mayEdit && (
        <form
          onSubmit={submit}
          aria-label={editing ? `Edit webhook ${draft.name}` : 'Add a webhook'}
          onKeyDown={(e) => e.key === 'Escape' && editing && cancel()}
        >
          <h3>{editing ? `Edit webhook ${draft.name}` : 'Add a webhook'}</h3>
          <ErrorNote errors={[save.error]} />
          <div className="actions">
            <label>
              Name
              <input value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder="on-call" required />
            </label>
            <label>
              Address
              <input type="url" value={draft.url} onChange={(e) => set({ url: e.target.value })} placeholder="https://hooks.example.com/warren" required />
            </label>
            <label>
              Format
              <select value={draft.format} onChange={(e) => set({ format: e.target.value === 'slack' ? 'slack' : 'warren' })}>
                <option value="warren">Warren JSON, signed</option>
                <option value="slack">Slack-compatible ({'{"text": …}'})</option>
              </select>
            </label>
            <label>
              Secret{editing ? ' (empty: keep the current one)' : draft.format === 'slack' ? ' (optional)' : ' (16 characters or more)'}
              <input type="password" autoComplete="off" value={draft.secret} onChange={(e) => set({ secret: e.target.value })} />
            </label>
          </div>
          <p className="muted">
            Each notification is a POST with the header X-Warren-Signature: sha256=HMAC-SHA256 of the body under the secret; it is cut off after the timeout and
            retried with back-off when the receiver fails.
          </p>
          <div className="actions">
            <button type="submit" className="primary" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : editing ? 'Save webhook' : 'Add webhook'}
            </button>
            {editing && (
              <button type="button" onClick={cancel}>
                Cancel edit
              </button>
            )}
          </div>
        </form>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete webhook ${deleting?.name ?? ''}?`}
        confirmLabel="Delete webhook"
        busy={del.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ id: deleting.id })}
      >
        <p>Notifications waiting for it are dropped. A webhook used by a rule cannot be deleted: change those rules first.</p>
      </ConfirmDialog>
    </div>
  );
}
