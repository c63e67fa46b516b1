'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../_lib/trpc';
import { ErrorNote } from '../../_components/error-note';

export default function AdminPage() {
  const trpc = useTRPC();
  const audit = useQuery({ ...trpc.audit.list.queryOptions({ limit: 200 }), refetchInterval: 2_000 });
  return (
    <section>
      <h1>Admin</h1>
      <p className="muted">Users, vhosts and permissions have their own pages; the audit log below records every change made from the console: who, from which address, what.</p>
      <div className="card">
        <h2>Audit log</h2>
        {audit.isPending && <p role="status">Loading…</p>}
        <ErrorNote errors={[audit.error]} />
        {audit.data?.length === 0 && <p className="muted">Nothing recorded yet.</p>}
        {audit.data && audit.data.length > 0 && (
          <table className="table" aria-label="Audit log">
            <thead>
              <tr>
                <th>Time</th>
                <th>User</th>
                <th>Address</th>
                <th>Action</th>
                <th>Target</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.map((e) => (
                <tr key={e.id}>
                  <td>{new Date(e.time).toLocaleString()}</td>
                  <td>{e.user}</td>
                  <td>{e.address}</td>
                  <td>{e.action}</td>
                  <td>{e.target}</td>
                  <td>{JSON.stringify(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
