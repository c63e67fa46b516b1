'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { useMutate } from '../../_lib/use-mutate';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { formatBytes, formatDuration } from '../../_lib/format';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { LOOK_ONLY, useMe } from '../../_lib/use-me';

type Connection = AppRouterOutputs['connections']['list'][number];

const connectionColumns = (
  now: number,
  onClose: (c: { id: string; label: string }) => void,
  canChange: (vhost: string) => boolean,
): ColumnDef<Connection>[] => [
  {
    id: 'name',
    accessorFn: (c) => c.name || c.peerAddress,
    header: 'Name',
    size: 200,
    cell: ({ row: { original: c } }) => (
      <span title={`${c.name} ${c.id}`}>
        {c.name}{' '}
        <span className="muted" data-connection-id>
          {c.id}
        </span>
      </span>
    ),
  },
  {
    id: 'client',
    accessorFn: (c) => `${c.product} ${c.version}`,
    header: 'Client',
    size: 170,
    meta: { hideable: true },
    cell: ({ row: { original: c } }) => (
      <>
        {c.product} {c.version}
        {c.platform && <span className="muted"> · {c.platform}</span>}
      </>
    ),
  },
  { id: 'peer', accessorKey: 'peerAddress', header: 'Peer', size: 150 },
  { id: 'user', accessorKey: 'user', header: 'User', size: 90 },
  { id: 'vhost', accessorKey: 'vhost', header: 'Vhost', size: 80, meta: { hideable: true } },
  {
    id: 'connected',
    accessorKey: 'connectedAt',
    header: 'Connected',
    size: 110,
    sortDescFirst: false,
    cell: ({ row }) => `${formatDuration(now - row.original.connectedAt)} ago`,
  },
  { id: 'channels', accessorKey: 'channels', header: 'Channels', size: 85, meta: { numeric: true } },
  { id: 'consumers', accessorKey: 'consumers', header: 'Consumers', size: 95, meta: { numeric: true } },
  { id: 'unacked', accessorKey: 'unacked', header: 'Unacked', size: 85, meta: { numeric: true } },
  {
    id: 'received',
    accessorKey: 'receivedBytesPerSecond',
    header: 'Received',
    size: 95,
    meta: { numeric: true },
    cell: ({ row }) => `${formatBytes(row.original.receivedBytesPerSecond)}/s`,
  },
  {
    id: 'sent',
    accessorKey: 'sentBytesPerSecond',
    header: 'Sent',
    size: 95,
    meta: { numeric: true },
    cell: ({ row }) => `${formatBytes(row.original.sentBytesPerSecond)}/s`,
  },
  {
    id: 'channelList',
    header: 'Channels (prefetch / unacked / consumers)',
    size: 260,
    enableSorting: false,
    meta: { wrap: true, grow: true, hideable: true },
    cell: ({ row }) =>
      row.original.channelList.map((ch) => (
        <div key={ch.number}>
          #{ch.number}: {ch.prefetch || '∞'} / {ch.unacked} / {ch.consumers.length ? ch.consumers.join(', ') : 'none'}
          {!ch.flowing && <span className="error"> (paused: client not reading)</span>}
        </div>
      )),
  },
  {
    id: 'actions',
    header: actionsHeader,
    size: 90,
    enableSorting: false,
    cell: ({ row: { original: c } }) => {
      const label = c.name || c.peerAddress;
      return (
        <button
          type="button"
          className="danger"
          disabled={!canChange(c.vhost)}
          title={canChange(c.vhost) ? undefined : LOOK_ONLY}
          onClick={() => onClose({ id: c.id, label })}
          aria-label={`Close connection ${label}`}
        >
          Close…
        </button>
      );
    },
  },
];

export default function ConnectionsPage() {
  const trpc = useTRPC();
  const list = useLive(trpc.connections.list.queryOptions());
  const [closing, setClosing] = useState<{ id: string; label: string } | null>(null);
  const me = useMe();
  const [reason, setReason] = useState('Closed from the Warren console');
  const close = useMutate(trpc.connections.close.mutationOptions({ onSuccess: () => setClosing(null) }));
  const now = Date.now();

  return (
    <section>
      <h1>Connections</h1>
      {list.isPending && <p role="status">Loading connections…</p>}
      <ErrorNote errors={[list.error, close.error]} />
      {list.data?.length === 0 && <div className="empty">No client is connected. Applications connect to the AMQP port shown on the overview.</div>}
      {list.data && list.data.length > 0 && (
        <DataTable
          label="Connections"
          columns={connectionColumns(now, setClosing, me.canChange)}
          data={list.data}
          getRowId={(c) => c.id}
          defaultSort={{ id: 'name' }}
        />
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
