'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { ConfirmDialog } from '../../_components/confirm-dialog';
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
            <input type="checkbox" checked={value.includes(tag)} onChange={(e) => onChange(e.target.checked ? [...value, tag] : value.filter((t) => t !== tag))} /> {tag}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function UserRow({ user, onChanged, onDelete }: { user: { name: string; tags: string[]; hashing: string; vhosts: string[] }; onChanged: () => void; onDelete: () => void }) {
  const trpc = useTRPC();
  const [tags, setTags] = useState<Tag[]>(user.tags.filter((t): t is Tag => (TAGS as readonly string[]).includes(t)));
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState('');
  const saveTags = useMutation(trpc.users.setTags.mutationOptions({ onSuccess: () => (setNotice('Tags saved.'), onChanged()) }));
  const setPw = useMutation(trpc.users.setPassword.mutationOptions({ onSuccess: () => (setPassword(''), setNotice('Password changed.')) }));
  const changePassword = (e: FormEvent) => {
    e.preventDefault();
    setPw.mutate({ name: user.name, password });
  };
  return (
    <tr>
      <td>{user.name}</td>
      <td>
        <TagPicker value={tags} onChange={setTags} label={`Tags of ${user.name}`} />
        <button type="button" onClick={() => saveTags.mutate({ name: user.name, tags })} disabled={saveTags.isPending}>
          Save tags
        </button>
      </td>
      <td>{user.hashing}</td>
      <td>{user.vhosts.join(', ') || <span className="muted">none</span>}</td>
      <td>
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
        {notice && <p role="status" className="notice">{notice}</p>}
        <ErrorNote errors={[saveTags.error, setPw.error]} />
      </td>
    </tr>
  );
}

export function UsersView() {
  const trpc = useTRPC();
  const list = useQuery(trpc.users.list.queryOptions());
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [tags, setTags] = useState<Tag[]>([]);
  const [deleting, setDeleting] = useState<string | null>(null);
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: () => (setName(''), setPassword(''), setTags([]), list.refetch()) }));
  const del = useMutation(trpc.users.delete.mutationOptions({ onSuccess: () => (setDeleting(null), list.refetch()) }));
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
          <table className="table" aria-label="Users">
            <thead>
              <tr>
                <th>Name</th>
                <th>Tags</th>
                <th>Password hash</th>
                <th>Vhosts</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data?.map((u) => (
                <UserRow key={`${u.name}:${u.tags.join(',')}`} user={u} onChanged={() => list.refetch()} onDelete={() => setDeleting(u.name)} />
              ))}
            </tbody>
          </table>
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
