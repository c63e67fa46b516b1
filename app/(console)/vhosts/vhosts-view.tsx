'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';

export function VhostsView() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.vhosts.list.queryOptions(), refetchInterval: 2_000 });
  const [name, setName] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const create = useMutation(trpc.vhosts.create.mutationOptions({ onSuccess: () => (setName(''), list.refetch()) }));
  const del = useMutation(trpc.vhosts.delete.mutationOptions({ onSuccess: () => (setDeleting(null), list.refetch()) }));
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
          <table className="table" aria-label="Vhosts">
            <thead>
              <tr>
                <th>Name</th>
                <th className="num">Queues</th>
                <th className="num">Messages</th>
                <th className="num">Exchanges</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data?.map((v) => (
                <tr key={v.name}>
                  <td>{v.name}</td>
                  <td className="num">{v.queues}</td>
                  <td className="num">{v.messages.toLocaleString()}</td>
                  <td className="num">{v.exchanges}</td>
                  <td>
                    <button type="button" className="danger" onClick={() => setDeleting(v.name)} aria-label={`Delete vhost ${v.name}`}>
                      Delete…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
