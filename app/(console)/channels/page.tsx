'use client';

import Link from 'next/link';
import type { ColumnDef } from '@tanstack/react-table';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';
import { DataTable } from '../../_components/data-table';
import { ErrorNote } from '../../_components/error-note';
import { connectionHref } from '../../_lib/links';
import { ChannelConsumers, prefetchText, rateText } from '../connections/channel-details';

type Channel = AppRouterOutputs['connections']['channels'][number];

const COLUMNS: ColumnDef<Channel>[] = [
  {
    id: 'channel',
    header: 'Channel',
    size: 210,
    accessorFn: (ch) => `${ch.connection.name || ch.connection.peer} ${ch.number}`,
    cell: ({ row: { original: ch } }) => (
      <Link href={connectionHref(ch.connection.id)} title={`Connection ${ch.connection.id} (${ch.connection.peer}), channel ${ch.number}`}>
        {ch.connection.name || ch.connection.peer} #{ch.number}
      </Link>
    ),
  },
  { id: 'peer', header: 'Peer', size: 150, accessorFn: (ch) => ch.connection.peer, meta: { hideable: true } },
  { id: 'user', header: 'User', size: 90, accessorFn: (ch) => ch.connection.user },
  { id: 'vhost', header: 'Vhost', size: 80, accessorFn: (ch) => ch.connection.vhost, meta: { hideable: true } },
  { id: 'prefetch', header: 'Prefetch', size: 110, accessorFn: (ch) => ch.prefetch, cell: ({ row }) => prefetchText(row.original), meta: { numeric: true } },
  { id: 'unacked', accessorKey: 'unacked', header: 'Unacked', size: 85, meta: { numeric: true } },
  { id: 'confirm', header: 'Confirm', size: 80, accessorFn: (ch) => (ch.confirm ? 'on' : 'off') },
  { id: 'transactional', header: 'Transactional', size: 110, accessorFn: (ch) => (ch.transactional ? 'yes' : 'no'), meta: { hideable: true } },
  { id: 'consumerCount', header: 'Consumers', size: 95, accessorFn: (ch) => ch.consumers.length, meta: { numeric: true } },
  { id: 'publish', accessorKey: 'publish', header: 'Publish/s', size: 90, meta: { numeric: true }, cell: ({ row }) => rateText(row.original.publish) },
  { id: 'deliver', accessorKey: 'deliver', header: 'Deliver/s', size: 90, meta: { numeric: true }, cell: ({ row }) => rateText(row.original.deliver) },
  {
    id: 'consumes',
    header: 'Consumes',
    size: 240,
    enableSorting: false,
    meta: { grow: true, wrap: true },
    cell: ({ row }) => <ChannelConsumers consumers={row.original.consumers} />,
  },
];

/** In a cluster: the node each channel's client is connected to (after User). */
const CLUSTER_COLUMNS: ColumnDef<Channel>[] = [
  ...COLUMNS.slice(0, 3),
  { id: 'node', header: 'Node', size: 90, accessorFn: (ch) => ch.connection.node },
  ...COLUMNS.slice(3),
];

/** Every channel of every client connection, as RabbitMQ's Channels tab lists them. */
export default function ChannelsPage() {
  const trpc = useTRPC();
  const list = useLive(trpc.connections.channels.queryOptions());
  return (
    <section>
      <h1>Channels</h1>
      <p className="muted">
        Every channel of every client <Link href="/connections">connection</Link>: its prefetch, unacknowledged messages, publisher mode and what it consumes.
      </p>
      {list.isPending && <p role="status">Loading channels…</p>}
      <ErrorNote errors={[list.error]} />
      {list.data && (
        <DataTable
          label="Channels"
          columns={list.data.some((ch) => ch.connection.node !== null) ? CLUSTER_COLUMNS : COLUMNS}
          data={list.data}
          getRowId={(ch) => `${ch.connection.id}/${ch.number}`}
          rowLabel={(ch) => `Channel ${ch.number} of ${ch.connection.name || ch.connection.peer} ${ch.connection.id}`}
          defaultSort={{ id: 'channel' }}
          filterLabel="Filter"
          defaultHidden={['peer', 'transactional']}
          empty="No channel is open. Applications open channels on their AMQP connections."
        />
      )}
    </section>
  );
}
