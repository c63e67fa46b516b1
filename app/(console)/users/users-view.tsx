'use client';

import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useMutate } from '../../_lib/use-mutate';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { ErrorNote } from '../../_components/error-note';

const TAGS = ['administrator', 'monitoring', 'management', 'policymaker'] as const;
type Tag = (typeof TAGS)[number];

/** One checkbox per tag, for the create form and a user's row. */
function TagPicker({ value, onChange, label }: { value: Tag[]; onChange: (tags: Tag[]) => void; label: string }) {
  return (
    <fieldset className="actions" aria-label={label}>
      {TAGS.map((tag) => (
        <label key={tag}>
          <span>
            <input
              type="checkbox"
              checked={value.includes(tag)}
              onChange={(e) => onChange(e.target.checked ? [...value, tag] : value.filter((t) => t !== tag))}
            />{' '}
            {tag}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

type UserRow = AppRouterOutputs['users']['list'][number];

/** A user's tags, editable in place. */
function UserTags({ user }: { user: UserRow }) {
  const trpc = useTRPC();
  const [tags, setTags] = useState<Tag[]>(user.tags.filter((t): t is Tag => (TAGS as readonly string[]).includes(t)));
  const [notice, setNotice] = useState('');
  const saveTags = useMutate(trpc.users.setTags.mutationOptions({ onSuccess: () => setNotice('Tags saved.') }));
  return (
    <>
      <TagPicker value={tags} onChange={setTags} label={`Tags of ${user.name}`} />
      <button type="button" onClick={() => saveTags.mutate({ name: user.name, tags })} disabled={saveTags.isPending}>
        Save tags
      </button>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ErrorNote errors={[saveTags.error]} />
    </>
  );
}

/** A new password for a user, and deleting them. */
function UserActions({ user, onDelete }: { user: UserRow; onDelete: () => void }) {
  const trpc = useTRPC();
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState('');
  const setPw = useMutate(trpc.users.setPassword.mutationOptions({ onSuccess: () => (setPassword(''), setNotice('Password changed.')) }));
  const changePassword = (e: FormEvent) => {
    e.preventDefault();
    setPw.mutate({ name: user.name, password });
  };
  return (
    <>
      <form className="actions" onSubmit={changePassword} aria-label={`Set password of ${user.name}`}>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <button type="submit" disabled={setPw.isPending}>
          Set password
        </button>
      </form>
      <button type="button" className="danger" onClick={onDelete} aria-label={`Delete user ${user.name}`}>
        Delete…
      </button>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ErrorNote errors={[setPw.error]} />
    </>
  );
}

const userColumns = (onDelete: (name: string) => void): ColumnDef<UserRow>[] => [
  { id: 'name', accessorKey: 'name', header: 'Name', size: 160 },
  // Keyed by the tags: a change made elsewhere resets the checkboxes to what is stored.
  {
    id: 'tags',
    header: 'Tags',
    size: 460,
    enableSorting: false,
    meta: { wrap: true },
    cell: ({ row }) => <UserTags key={row.original.tags.join(',')} user={row.original} />,
  },
  { id: 'hashing', accessorKey: 'hashing', header: 'Password hash', size: 130 },
  {
    id: 'vhosts',
    header: 'Vhosts',
    size: 140,
    enableSorting: false,
    meta: { wrap: true },
    cell: ({ row }) => row.original.vhosts.join(', ') || <span className="muted">none</span>,
  },
  {
    id: 'actions',
    header: actionsHeader,
    size: 340,
    enableSorting: false,
    meta: { grow: true, wrap: true },
    cell: ({ row }) => <UserActions user={row.original} onDelete={() => onDelete(row.original.name)} />,
  },
];

export function UsersView() {
  const trpc = useTRPC();
  const list = useQuery(trpc.users.list.queryOptions());
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [tags, setTags] = useState<Tag[]>([]);
  const [deleting, setDeleting] = useState<string | null>(null);
  const create = useMutate(trpc.users.create.mutationOptions({ onSuccess: () => (setName(''), setPassword(''), setTags([])) }));
  const del = useMutate(trpc.users.delete.mutationOptions({ onSuccess: () => setDeleting(null) }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, password, tags });
  };
  return (
    <>
      <ErrorNote errors={[list.error, del.error]} />
      <div className="card">
        {list.isPending ? (
          <p role="status">Loading users…</p>
        ) : (
          <DataTable
            label="Users"
            columns={userColumns(setDeleting)}
            data={list.data ?? []}
            getRowId={(u) => u.name}
            defaultSort={{ id: 'name' }}
            height="content"
          />
        )}
      </div>
      <form className="card" onSubmit={submit} aria-label="Add a user">
        <h2>Add a user</h2>
        <ErrorNote errors={[create.error]} />
        <div className="actions">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
          </label>
          <label>
            Password
            <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </label>
        </div>
        <TagPicker value={tags} onChange={setTags} label="Tags of the new user" />
        <p className="muted">Give the new user a permission on a vhost (Permissions page) before it connects over AMQP.</p>
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add user'}
        </button>
      </form>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete user ${deleting ?? ''}?`}
        confirmLabel="Delete user"
        busy={del.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ name: deleting })}
      >
        <p>Its permissions go with it, its open AMQP connections are closed and its console sessions end, now.</p>
      </ConfirmDialog>
    </>
  );
}
