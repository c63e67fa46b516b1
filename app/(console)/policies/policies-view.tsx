'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../../_lib/trpc';
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

export function PoliciesView() {
  const trpc = useTRPC();
  const [state] = useUrlState({ vhost: '/' });
  const mayEdit = useMe().canSetPolicies(state.vhost);
  const list = useQuery({ ...trpc.policies.list.queryOptions({ vhost: state.vhost }), refetchInterval: 2_000 });
  const [draft, setDraft] = useState<PolicyDraft>(EMPTY);
  const [deleting, setDeleting] = useState<string | null>(null);
  const del = useMutation(trpc.policies.delete.mutationOptions({ onSuccess: () => (setDeleting(null), list.refetch()) }));

  const edit = (p: NonNullable<typeof list.data>[number]) =>
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
          <p className="muted">No policies in vhost {state.vhost} yet. Add one below: for example pattern <code>^orders</code> with max-length 10000.</p>
        ) : (
          <table className="table" aria-label="Policies">
            <thead>
              <tr>
                <th>Name</th>
                <th>Pattern</th>
                <th>Applies to</th>
                <th className="num">Priority</th>
                <th>Definition</th>
                <th className="num">Queues</th>
                <th className="num">Exchanges</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data?.map((p) => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>
                    <code>{p.pattern}</code>
                  </td>
                  <td>{p.applyTo}</td>
                  <td className="num">{p.priority}</td>
                  <td>
                    {Object.entries(p.definition).map(([key, value]) => (
                      <span key={key} className="badge">
                        {key}: {valueText(value)}
                      </span>
                    ))}
                  </td>
                  <td className="num">{p.appliesTo.queues}</td>
                  <td className="num">{p.appliesTo.exchanges}</td>
                  <td>
                    {mayEdit && <span className="actions">
                      <button type="button" onClick={() => edit(p)} aria-label={`Edit policy ${p.name}`}>
                        Edit
                      </button>
                      <button type="button" className="danger" onClick={() => setDeleting(p.name)} aria-label={`Delete policy ${p.name}`}>
                        Delete…
                      </button>
                    </span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {!mayEdit && <p className="muted">Setting policies in vhost {state.vhost} needs the policymaker tag and a permission on it.</p>}
      {mayEdit && <PolicyForm vhost={state.vhost} draft={draft} onChange={setDraft} onSaved={() => (setDraft(EMPTY), list.refetch())} />}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete policy ${deleting ?? ''}?`}
        confirmLabel="Delete policy"
        busy={del.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ vhost: state.vhost, name: deleting })}
      >
        <p>
          The queues and exchanges it applies to fall back to their own arguments (or to the next matching policy) at once. Messages held in retry tiers it set go
          back to their queues now.
        </p>
      </ConfirmDialog>
    </>
  );
}
