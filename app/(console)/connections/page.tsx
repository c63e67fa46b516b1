'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { formatBytes, formatDuration } from '../../_lib/format';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';

export default function ConnectionsPage() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.connections.list.queryOptions(), refetchInterval: 1_000 });
  const [closing, setClosing] = useState<{ id: string; label: string } | null>(null);
  const [reason, setReason] = useState('Closed from the Warren console');
  const close = useMutation(trpc.connections.close.mutationOptions({ onSuccess: () => (setClosing(null), list.refetch()) }));
  const now = Date.now();

  return (
    <section>
      <h1>Connections</h1>
      {list.isPending && <p role="status">Loading connections…</p>}
      <ErrorNote errors={[list.error, close.error]} />
      {list.data?.length === 0 && <div className="empty">No client is connected. Applications connect to the AMQP port shown on the overview.</div>}
      {list.data && list.data.length > 0 && (
        <div className="card">
          <table className="table" aria-label="Connections">
            <thead>
              <tr>
                <th>Name</th>
                <th>Client</th>
                <th>Peer</th>
                <th>User</th>
                <th>Vhost</th>
                <th>Connected</th>
                <th className="num">Channels</th>
                <th className="num">Consumers</th>
                <th className="num">Unacked</th>
                <th className="num">Received</th>
                <th className="num">Sent</th>
                <th>Channels (prefetch / unacked / consumers)</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => {
                const label = c.name || c.peerAddress;
                return (
                  <tr key={c.id}>
                    <td>
                      {c.name} <span className="muted" data-connection-id>{c.id}</span>
                    </td>
                    <td>
                      {c.product} {c.version}
                      {c.platform && <span className="muted"> · {c.platform}</span>}
                    </td>
                    <td>{c.peerAddress}</td>
                    <td>{c.user}</td>
                    <td>{c.vhost}</td>
                    <td>{formatDuration(now - c.connectedAt)} ago</td>
                    <td className="num">{c.channels}</td>
                    <td className="num">{c.consumers}</td>
                    <td className="num">{c.unacked}</td>
                    <td className="num">{formatBytes(c.receivedBytesPerSecond)}/s</td>
                    <td className="num">{formatBytes(c.sentBytesPerSecond)}/s</td>
                    <td>
                      {c.channelList.map((ch) => (
                        <div key={ch.number}>
                          #{ch.number}: {ch.prefetch || '∞'} / {ch.unacked} / {ch.consumers.length ? ch.consumers.join(', ') : 'none'}
                          {!ch.flowing && <span className="error"> (paused: client not reading)</span>}
                        </div>
                      ))}
                    </td>
                    <td>
                      <button type="button" className="danger" onClick={() => setClosing({ id: c.id, label })} aria-label={`Close connection ${label}`}>
                        Close…
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={closing !== null}
        title={`Close connection ${closing?.label ?? ''}?`}
        confirmLabel="Close connection"
        busy={close.isPending}
        onCancel={() => setClosing(null)}
        onConfirm={() => closing && close.mutate({ id: closing.id, reason })}
      >
        <p>The client is sent connection.close (320 CONNECTION_FORCED) with this reason; its unacknowledged messages go back to their queues.</p>
        <label>
          Reason <input value={reason} onChange={(e) => setReason(e.target.value)} style={{ width: '100%' }} />
        </label>
      </ConfirmDialog>
    </section>
  );
}
