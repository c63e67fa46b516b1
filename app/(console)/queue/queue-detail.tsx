'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useState } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { isNotFound, useLive } from '../../_lib/use-live';
import { MissingObject } from '../../_components/missing-object';
import { DataTable } from '../../_components/data-table';
import { formatBytes, formatDuration } from '../../_lib/format';
import { TimeChart } from '../../_components/time-chart';
import { useQueueRange } from '../../_lib/use-chart-range';
import { AlertBanner } from '../../_components/alert-banner';
import { ArgumentBadges } from '../queues/argument-badges';
import { QueueStateText } from '../queues/queue-state-text';
import { QUEUE_STATES } from '../../../server/metrics/queue-state';
import { BindingsPanel } from './bindings-panel';
import { EffectiveArguments } from './effective-arguments';
import { NodeMove } from './node-move';
import { QueueActions } from './queue-actions';
import { SearchPanel } from './search-panel';
import { TraceToggle } from './trace-toggle';
import { ErrorNote } from '../../_components/error-note';
import { connectionHref, queueHref } from '../../_lib/links';

interface Point {
  at: number;
  ready: number;
  unacked: number;
  incoming: number;
  deliver: number;
  ack: number;
}
/** The charts' span: the server's 15 minutes of history, then the points seen live. */
const WINDOW_MS = 15 * 60_000;

type Consumer = AppRouterOutputs['queues']['get']['consumers'][number];

/** "10 / 10 unacked": how much of its prefetch a consumer uses; a full one takes nothing more until it acks. */
function prefetchUse(c: Consumer): string {
  if (c.noAck) return `${c.unacked} unacked (auto-ack: no limit)`;
  if (c.prefetchCount > 0) return `${c.unacked} / ${c.prefetchCount} unacked`;
  if (c.channelPrefetch > 0) return `${c.unacked} unacked (channel limit ${c.channelPrefetch})`;
  return `${c.unacked} unacked (no prefetch limit)`;
}

const CONSUMER_COLUMNS: ColumnDef<Consumer>[] = [
  {
    id: 'client',
    header: 'Client',
    size: 190,
    meta: { grow: true },
    accessorFn: (c) => c.client?.name || c.client?.product || c.connectionId,
    cell: ({ row: { original: c } }) => {
      const name = c.client?.name || c.client?.product || c.connectionId;
      return (
        <Link href={connectionHref(c.connectionId)} title={`Connection ${c.connectionId}: open its channels`}>
          {name}
        </Link>
      );
    },
  },
  { id: 'peer', header: 'Peer', size: 150, accessorFn: (c) => c.client?.peer ?? '' },
  {
    id: 'prefetch',
    header: 'Prefetch use',
    size: 220,
    accessorFn: (c) => (c.prefetchCount > 0 ? c.unacked / c.prefetchCount : 0),
    cell: ({ row: { original: c } }) => {
      const full = !c.noAck && c.prefetchCount > 0 && c.unacked >= c.prefetchCount;
      return (
        <span className={full ? 'queue-state-saturated' : undefined} title={full ? 'Prefetch full: it takes nothing more until it acknowledges' : undefined}>
          {prefetchUse(c)}
        </span>
      );
    },
  },
  {
    id: 'tag',
    accessorKey: 'consumerTag',
    header: 'Tag',
    size: 150,
    meta: { hideable: true },
    cell: ({ row }) => <span title={row.original.consumerTag}>{row.original.consumerTag}</span>,
  },
  { id: 'channel', accessorKey: 'channel', header: 'Channel', size: 80, meta: { numeric: true } },
  { id: 'ack', header: 'Ack mode', size: 90, accessorFn: (c) => (c.noAck ? 'auto' : 'manual') },
  { id: 'active', header: 'Active', size: 80, accessorFn: (c) => (c.active ? 'yes' : 'waiting') },
];

export function QueueDetail() {
  const params = useSearchParams();
  const vhost = params.get('vhost') ?? '/';
  const name = params.get('name') ?? '';
  const trpc = useTRPC();
  const queue = useLive({ ...trpc.queues.get.queryOptions({ vhost, name }), enabled: name !== '' });
  const [points, setPoints] = useState<Point[]>([]);
  // The server keeps 15 minutes of the queue's depth and rates: the charts start from them on every visit (a new `since`, so never a cached answer).
  const [since] = useState(() => Date.now() - WINDOW_MS);
  const history = useQuery({ ...trpc.queues.history.queryOptions({ vhost, name, since }), enabled: queue.data !== undefined, staleTime: Infinity });

  useEffect(() => {
    const q = queue.data;
    if (!q) return;
    setPoints((prev) => {
      const at = queue.dataUpdatedAt;
      const last = prev.at(-1);
      if (last !== undefined && last.at >= at) return prev;
      const next = [...prev, { at, ready: q.ready, unacked: q.unacked, ...q.rates }];
      return next[0]!.at < at - WINDOW_MS ? next.filter((p) => p.at >= at - WINDOW_MS) : next;
    });
  }, [queue.data, queue.dataUpdatedAt]);
  const firstLive = points[0]?.at ?? Infinity;
  const recent = [...(history.data ?? []).filter((p) => p.at < firstLive && p.at >= (points.at(-1)?.at ?? Date.now()) - WINDOW_MS), ...points];
  const charted = useQueueRange(vhost, name, recent);

  if (name === '')
    return (
      <p className="error">
        No queue named in the address. Open one from the <Link href="/queues">queue list</Link>.
      </p>
    );
  return (
    <section>
      <p className="muted">
        <Link href="/queues">Queues</Link> / vhost {vhost}
      </p>
      <h1>
        Queue {name} {queue.data?.paused && <span className="badge">delivery paused</span>}
      </h1>
      <AlertBanner vhost={vhost} name={name} kind="queue" />
      {queue.data && <TraceToggle vhost={vhost} name={name} />}
      {queue.isPending && <p role="status">Loading queue…</p>}
      {isNotFound(queue.error) ? (
        <MissingObject kind="queue" vhost={vhost} name={name} href={(n) => queueHref(vhost, n)} />
      ) : (
        <ErrorNote errors={[queue.error]} />
      )}
      {queue.data && (
        <>
          <dl className="figures" aria-label="Queue figures">
            {[
              ['Ready', queue.data.ready.toLocaleString()],
              ['Unacked', queue.data.unacked.toLocaleString()],
              ['Total', (queue.data.ready + queue.data.unacked).toLocaleString()],
              ['Bytes ready', formatBytes(queue.data.readyBytes)],
              ['State', <QueueStateText key="state" state={queue.data.state} />],
              ['Oldest ready', queue.data.oldestReadyAgeMs === null ? 'none ready' : formatDuration(queue.data.oldestReadyAgeMs)],
              ['Consumers', String(queue.data.consumers.length)],
              ...(queue.data.node === undefined ? [] : [['Served by', queue.data.node ?? 'no node right now (a take-over is under way)']]),
              ['Incoming', `${queue.data.rates.incoming.toFixed(1)}/s`],
              ['Deliver', `${queue.data.rates.deliver.toFixed(1)}/s`],
              ['Ack', `${queue.data.rates.ack.toFixed(1)}/s`],
            ].map(([label, value]) => (
              <div className="figure" key={String(label)}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <p className="muted" aria-label="What the queue is doing">
            <QueueStateText state={queue.data.state} />: {QUEUE_STATES[queue.data.state].explanation}
          </p>
          <div className="grid2">
            <TimeChart
              title="Depth"
              unit="msgs"
              points={charted.points}
              ranged={charted}
              lines={[
                { key: 'ready', name: 'Ready', color: 'var(--accent)' },
                { key: 'unacked', name: 'Unacked', color: 'var(--accent2)' },
              ]}
            />
            <TimeChart
              title="Rates"
              unit="msg/s"
              points={charted.points}
              ranged={charted}
              lines={[
                { key: 'incoming', name: 'Incoming', color: 'var(--accent)' },
                { key: 'deliver', name: 'Deliver', color: 'var(--accent2)' },
                { key: 'ack', name: 'Ack', color: '#16a34a' },
              ]}
            />
          </div>

          <div className="card">
            <h2>Consumers</h2>
            {queue.data.consumers.length === 0 ? (
              <p className="muted">No consumers.</p>
            ) : (
              <DataTable
                label="Consumers"
                columns={CONSUMER_COLUMNS}
                data={queue.data.consumers}
                getRowId={(c) => `${c.connectionId}/${c.channel}/${c.consumerTag}`}
                height="content"
                urlPrefix="consumers."
              />
            )}
          </div>
          <div className="card">
            <h2>Arguments and policy</h2>
            <p>
              Effective policy:{' '}
              {queue.data.policy === null ? (
                <span className="muted">none</span>
              ) : (
                <>
                  <Link href={`/policies?vhost=${encodeURIComponent(vhost)}`}>{queue.data.policy.name}</Link>{' '}
                  <span className="muted">
                    (pattern <code>{queue.data.policy.pattern}</code>, priority {queue.data.policy.priority})
                  </span>
                </>
              )}
            </p>
            <p>
              Type {queue.data.type}{' '}
              <ArgumentBadges
                args={queue.data.effectiveArguments}
                policy={queue.data.policy?.name ?? null}
                durable={queue.data.durable}
                exclusive={queue.data.exclusive}
                autoDelete={queue.data.autoDelete}
              />
            </p>
            <EffectiveArguments declared={queue.data.arguments} fromPolicy={queue.data.policy?.definition ?? {}} effective={queue.data.effectiveArguments} />
          </div>
          <BindingsPanel vhost={vhost} queue={name} bindings={queue.data.bindings} />
          <QueueActions vhost={vhost} name={name} ready={queue.data.ready} total={queue.data.ready + queue.data.unacked} />
          {queue.data.node !== undefined && queue.data.durable && <NodeMove vhost={vhost} name={name} servedBy={queue.data.node} />}
          {queue.data.type !== 'stream' && <SearchPanel vhost={vhost} name={name} paused={queue.data.paused} />}
        </>
      )}
    </section>
  );
}
