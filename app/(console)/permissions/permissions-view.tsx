'use client';

import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useMutate } from '../../_lib/use-mutate';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { ErrorNote } from '../../_components/error-note';

interface Draft {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

/** Which operations the draft's patterns allow on a name, as the broker would decide. */
function NameTester({ draft }: { draft: Draft }) {
  const trpc = useTRPC();
  const [name, setName] = useState('');
  const test = useQuery({
    ...trpc.permissions.test.queryOptions({ name, configure: draft.configure, write: draft.write, read: draft.read }),
    enabled: name !== '',
  });
  return (
    <fieldset aria-label="Test this name">
      <legend>Test this name</legend>
      <label>
        Queue or exchange name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="orders.eu" />
      </label>
      <ErrorNote errors={[test.error]} />
      {name !== '' && test.data && (
        <ul aria-label="Operations allowed">
          {test.data.map((r) => (
            <li key={r.permission}>
              <strong>{r.permission}</strong> {r.matches ? 'matches' : 'does not match'}: {r.matches ? 'may' : 'may not'} {r.operations.join(', ')}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

type PermissionRow = AppRouterOutputs['permissions']['list'][number];

const code = (key: 'configure' | 'write' | 'read'): ColumnDef<PermissionRow> => ({
  id: key,
  accessorKey: key,
  header: key[0]!.toUpperCase() + key.slice(1),
  size: 140,
  cell: ({ row }) => <code>{row.original[key]}</code>,
});

const permissionColumns = (onEdit: (p: PermissionRow) => void, onClear: (p: PermissionRow) => void): ColumnDef<PermissionRow>[] => [
  { id: 'user', accessorKey: 'user', header: 'User', size: 150 },
  { id: 'vhost', accessorKey: 'vhost', header: 'Vhost', size: 120 },
  code('configure'),
  code('write'),
  code('read'),
  {
    id: 'actions',
    header: actionsHeader,
    size: 150,
    enableSorting: false,
    meta: { grow: true },
    cell: ({ row: { original: p } }) => (
      <span className="actions">
        <button type="button" onClick={() => onEdit(p)} aria-label={`Edit permission of ${p.user} on ${p.vhost}`}>
          Edit
        </button>
        <button type="button" className="danger" onClick={() => onClear(p)} aria-label={`Clear permission of ${p.user} on ${p.vhost}`}>
          Clear
        </button>
      </span>
    ),
  },
];

export function PermissionsView() {
  const trpc = useTRPC();
  const list = useQuery(trpc.permissions.list.queryOptions());
  const users = useQuery(trpc.users.list.queryOptions());
  const vhosts = useQuery(trpc.system.vhosts.queryOptions());
  const [draft, setDraft] = useState<Draft>({ user: '', vhost: '/', configure: '.*', write: '.*', read: '.*' });
  const [notice, setNotice] = useState('');
  const save = useMutate(
    trpc.permissions.set.mutationOptions({ onSuccess: () => setNotice(`Saved the permission of ${draft.user} on ${draft.vhost}.`) }),
    trpc.users,
  );
  const clear = useMutate(trpc.permissions.clear.mutationOptions(), trpc.users);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(draft);
  };
  const field = (key: 'configure' | 'write' | 'read') => (
    <label>
      {key}
      <input value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} aria-label={`${key} pattern`} />
    </label>
  );
  return (
    <>
      <ErrorNote errors={[list.error, clear.error]} />
      <div className="card">
        {list.isPending ? (
          <p role="status">Loading permissions…</p>
        ) : list.data?.length === 0 ? (
          <p className="muted">No permission yet: nobody can open a vhost.</p>
        ) : (
          <DataTable
            label="Permissions"
            columns={permissionColumns(
              (p) => setDraft({ ...p }),
              (p) => clear.mutate({ user: p.user, vhost: p.vhost }),
            )}
            data={list.data ?? []}
            getRowId={(p) => `${p.user}\n${p.vhost}`}
            defaultSort={{ id: 'user' }}
            height="content"
          />
        )}
      </div>
      <form className="card" onSubmit={submit} aria-label="Set a permission">
        <h2>Set a permission</h2>
        {notice && (
          <p role="status" className="notice">
            {notice}
          </p>
        )}
        <ErrorNote errors={[save.error, users.error, vhosts.error]} />
        <div className="actions">
          <label>
            User
            <select value={draft.user} onChange={(e) => setDraft({ ...draft, user: e.target.value })} required>
              <option value="">choose…</option>
              {users.data?.map((u) => (
                <option key={u.name} value={u.name}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Vhost
            <select value={draft.vhost} onChange={(e) => setDraft({ ...draft, vhost: e.target.value })}>
              {vhosts.data?.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          {field('configure')}
          {field('write')}
          {field('read')}
        </div>
        <NameTester draft={draft} />
        <button type="submit" className="primary" disabled={save.isPending}>
          Save permission
        </button>
      </form>
    </>
  );
}
