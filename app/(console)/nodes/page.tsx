'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { DataTable } from '../../_components/data-table';
import { DateTime } from '../../_components/date-time';
import { ErrorNote } from '../../_components/error-note';
import { formatBytes, formatDuration } from '../../_lib/format';
import { type AppRouterOutputs, useTRPC } from '../../_lib/trpc';
import { useLive } from '../../_lib/use-live';

type ClusterNode = AppRouterOutputs['cluster']['nodes']['nodes'][number];

const STATUS_TITLES: Record<ClusterNode['status'], string> = {
  live: 'Heartbeats arrive: the node is running',
  stale: 'No heartbeat for over 5 seconds and no clean stop: the node died, hangs or cannot reach PostgreSQL; another process may take its name',
  left: 'Stopped cleanly; its name is free',
};

const columns: ColumnDef<ClusterNode>[] = [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Node',
    size: 160,
    cell: ({ row: { original: n } }) => (
      <>
        {n.name}
        {n.self && <span className="muted"> (this node)</span>}
      </>
    ),
  },
  {
    id: 'status',
    accessorKey: 'status',
    header: 'Status',
    size: 90,
    cell: ({ row: { original: n } }) => (
      <span className={n.status === 'stale' ? 'error' : n.status === 'left' ? 'muted' : undefined} title={STATUS_TITLES[n.status]}>
        {n.status}
      </span>
    ),
  },
  {
    id: 'uptime',
    accessorFn: (n) => n.uptimeMs ?? -1,
    header: 'Uptime',
    size: 100,
    meta: { numeric: true },
    cell: ({ row: { original: n } }) => (n.uptimeMs === null ? '—' : formatDuration(n.uptimeMs)),
  },
  { id: 'amqp', accessorKey: 'amqpAddress', header: 'AMQP address', size: 170 },
  { id: 'http', accessorKey: 'httpAddress', header: 'Console address', size: 170 },
  {
    id: 'heartbeat',
    accessorKey: 'lastHeartbeatAgoMs',
    header: 'Last heartbeat',
    size: 200,
    sortDescFirst: false,
    cell: ({ row: { original: n } }) => (
      <span title={new Date(n.lastHeartbeatAt).toISOString()}>
        {(n.lastHeartbeatAgoMs / 1000).toFixed(1)} s ago{' '}
        <span className="muted">
          (<DateTime ms={n.lastHeartbeatAt} />)
        </span>
      </span>
    ),
  },
  {
    id: 'connections',
    accessorFn: (n) => n.connections ?? -1,
    header: 'Connections',
    size: 105,
    meta: { numeric: true, hideable: true },
    cell: ({ row: { original: n } }) => n.connections ?? '—',
  },
  {
    id: 'memory',
    accessorFn: (n) => n.memoryBytes ?? -1,
    header: 'Memory',
    size: 95,
    meta: { numeric: true, hideable: true },
    cell: ({ row: { original: n } }) => (n.memoryBytes === null ? '—' : formatBytes(n.memoryBytes)),
  },
  { id: 'version', accessorKey: 'version', header: 'Version', size: 80, meta: { hideable: true } },
];

export default function NodesPage() {
  const trpc = useTRPC();
  const cluster = useLive(trpc.cluster.nodes.queryOptions());
  return (
    <section>
      <h1>Nodes</h1>
      <p className="muted">
        The Warren processes that share this PostgreSQL database. Each renews its heartbeat every second (PostgreSQL's clock); one silent for 5 seconds without
        a clean stop shows as stale.
      </p>
      {cluster.isPending && <p role="status">Loading nodes…</p>}
      <ErrorNote errors={[cluster.error]} />
      {cluster.data && !cluster.data.clustered && (
        <div className="empty">
          Cluster mode is off: node {cluster.data.self} runs alone. To run several nodes, start each with the same PostgreSQL DATABASE_URL, WARREN_CLUSTER=true
          and its own WARREN_NODE_NAME (see the README).
        </div>
      )}
      {cluster.data?.databaseLoss && (
        <p role="alert" className="error">
          Node {cluster.data.self} lost its database ({cluster.data.databaseLoss.cause}): its publishers are blocked
          {cluster.data.databaseLoss.fenced
            ? ', and past its lease it closed its client connections and refuses new ones until it has rejoined the cluster'
            : ' until PostgreSQL answers again'}
          . Clients can use the other nodes meanwhile.
        </p>
      )}
      {cluster.data?.clustered && <DataTable label="Nodes" columns={columns} data={cluster.data.nodes} getRowId={(n) => n.name} defaultSort={{ id: 'name' }} />}
    </section>
  );
}
