'use client';

import Link from 'next/link';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { useMutate } from '../../_lib/use-mutate';
import { useUrlState } from '../../_lib/use-url-state';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { formatBytes, formatDuration } from '../../_lib/format';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { LOOK_ONLY, useMe } from '../../_lib/use-me';
import { ChannelDetails } from './channel-details';

type Connection = AppRouterOutputs['connections']['list'][number];

interface Handlers {
  now: number;
  isOpen: (id: string) => boolean;
  toggle: (id: string) => void;
  onClose: (c: { id: string; label: string }) => void;
  canChange: (vhost: string) => boolean;
  /** In a cluster: a Node column, the node each client is connected to. */
  clustered: boolean;
}

const connectionColumns = ({ now, isOpen, toggle, onClose, canChange, clustered }: Handlers): ColumnDef<Connection>[] => [
  {
    id: 'name',
    accessorFn: (c) => c.name || c.peer,
    header: 'Name',
    size: 220,
    cell: ({ row: { original: c } }) => (
      <button
        type="button"
        className="link-button"
        aria-expanded={isOpen(c.id)}
        aria-controls={`channels-${c.id}`}
        onClick={() => toggle(c.id)}
        title={`${c.name || c.peer} (${c.id}): ${isOpen(c.id) ? 'hide' : 'show'} its channels`}
      >
        {isOpen(c.id) ? '▾' : '▸'} {c.name || c.peer}{' '}
        <span className="muted" data-connection-id>
          {c.id}
        </span>
      </button>
    ),
  },
  {
    id: 'client',
    accessorFn: (c) => `${c.product} ${c.version}`,
    header: 'Client',
    size: 160,
    meta: { hideable: true },
    cell: ({ row: { original: c } }) => (
      <span title={`${c.product} ${c.version} ${c.platform}`}>
        {c.product} {c.version}
        {c.platform && <span className="muted"> · {c.platform}</span>}
      </span>
    ),
  },
  { id: 'peer', accessorKey: 'peer', header: 'Peer', size: 150 },
  ...(clustered ? [{ id: 'node', accessorKey: 'node', header: 'Node', size: 90 } satisfies ColumnDef<Connection>] : []),
  { id: 'user', accessorKey: 'user', header: 'User', size: 90 },
  { id: 'vhost', accessorKey: 'vhost', header: 'Vhost', size: 80, meta: { hideable: true } },
  {
    id: 'connected',
    accessorKey: 'connectedAt',
    header: 'Connected',
    size: 105,
    sortDescFirst: false,
    meta: { hideable: true },
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
    meta: { numeric: true, hideable: true },
    cell: ({ row }) => `${formatBytes(row.original.receivedBytesPerSecond)}/s`,
  },
  {
    id: 'sent',
    accessorKey: 'sentBytesPerSecond',
    header: 'Sent',
    size: 95,
    meta: { numeric: true, hideable: true },
    cell: ({ row }) => `${formatBytes(row.original.sentBytesPerSecond)}/s`,
  },
  {
    id: 'actions',
    header: actionsHeader,
    size: 90,
    enableSorting: false,
    enableResizing: false,
    meta: { pinEnd: true },
    cell: ({ row: { original: c } }) => {
      const label = c.name || c.peer;
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

/** Client connections; each opens to its channels (prefetch, unacked, publisher mode, what it consumes). */
export default function ConnectionsPage() {
  const trpc = useTRPC();
  const list = useLive(trpc.connections.list.queryOptions());
  const [closing, setClosing] = useState<{ id: string; label: string } | null>(null);
  const me = useMe();
  const [reason, setReason] = useState('Closed from the Warren console');
  const close = useMutate(trpc.connections.close.mutationOptions({ onSuccess: () => setClosing(null) }));
  // Opened connections live in the URL, so the queue page can link to one with its channels shown.
  const [url, setUrl] = useUrlState({ open: '' });
  const opened = url.open === '' ? [] : url.open.split(',');
  const isOpen = (id: string) => opened.includes(id);
  const toggle = (id: string) => setUrl({ open: (isOpen(id) ? opened.filter((o) => o !== id) : [...opened, id]).join(',') });
  const now = Date.now();

  return (
    <section>
      <h1>Connections</h1>
      <p className="muted">
        Open a connection to see its channels. Every channel of every connection: <Link href="/channels">Channels</Link>.
      </p>
      {list.isPending && <p role="status">Loading connections…</p>}
      <ErrorNote errors={[list.error, close.error]} />
      {list.data?.length === 0 && <div className="empty">No client is connected. Applications connect to the AMQP port shown on the overview.</div>}
      {list.data && list.data.length > 0 && (
        <DataTable
          label="Connections"
          columns={connectionColumns({ now, isOpen, toggle, onClose: setClosing, canChange: me.canChange, clustered: list.data.some((c) => c.node !== null) })}
          data={list.data}
          getRowId={(c) => c.id}
          rowLabel={(c) => `Connection ${c.name || c.peer} ${c.id}`}
          defaultSort={{ id: 'name' }}
          detail={(c) => isOpen(c.id) && <ChannelDetails id={`channels-${c.id}`} connection={c.name || c.peer} channels={c.channelList} />}
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
