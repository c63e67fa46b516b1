'use client';

import { useQueries } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { DataTable } from '../../../_components/data-table';
import { useEffect, useMemo, useState } from 'react';
import { TimeChart } from '../../../_components/time-chart';
import { formatDuration } from '../../../_lib/format';
import { useStreamLagRange } from '../../../_lib/use-chart-range';
import { useTRPC } from '../../../_lib/trpc';
import { GroupReset } from './group-reset';

export interface GroupRow {
  name: string;
  committedOffset: number;
  consumers: number;
  activeConsumerTag: string | null;
  lag: { messages: number; bytes: number; ms: number };
}

/** One sample per second: for each group, `m:<group>` lag in messages and `s:<group>` lag in seconds. */
type LagPoint = { at: number } & Record<string, number>;

const WINDOW_POINTS = 300;
const COLORS = ['var(--accent)', 'var(--accent2)', '#16a34a', '#9333ea', '#db2777', '#0891b2'];

const groupColumns = (vhost: string, stream: string): ColumnDef<GroupRow>[] => [
  { id: 'name', accessorKey: 'name', header: 'Group', size: 160, meta: { grow: true } },
  {
    id: 'committed',
    accessorKey: 'committedOffset',
    header: 'Committed offset',
    size: 140,
    meta: { numeric: true },
    cell: ({ row }) => <span data-field="committed">{row.original.committedOffset}</span>,
  },
  { id: 'consumers', accessorKey: 'consumers', header: 'Consumers', size: 95, meta: { numeric: true } },
  {
    id: 'lagMessages',
    accessorFn: (g) => g.lag.messages,
    header: 'Lag (messages)',
    size: 120,
    meta: { numeric: true },
    cell: ({ row }) => <span data-field="lag-messages">{row.original.lag.messages.toLocaleString()}</span>,
  },
  {
    id: 'lagMs',
    accessorFn: (g) => g.lag.ms,
    header: 'Lag (time)',
    size: 100,
    meta: { numeric: true },
    cell: ({ row }) => (
      <span data-field="lag-ms" data-ms={row.original.lag.ms}>
        {formatDuration(row.original.lag.ms)}
      </span>
    ),
  },
  {
    id: 'reset',
    header: 'Reset',
    size: 280,
    enableSorting: false,
    meta: { wrap: true },
    cell: ({ row: { original: g } }) =>
      g.consumers > 0 ? (
        <span className="muted">disconnect its consumers to reset</span>
      ) : (
        <GroupReset vhost={vhost} stream={stream} group={g.name} committed={g.committedOffset} />
      ),
  },
];

/** Consumer groups of one stream: committed offset, lag in messages and time, charted live, with a reset per group. */
export function GroupLag({ vhost, stream, groups, sampledAt }: { vhost: string; stream: string; groups: GroupRow[]; sampledAt: number }) {
  const trpc = useTRPC();
  const [points, setPoints] = useState<LagPoint[]>([]);
  // The broker keeps each group's lag for 15 minutes: the charts start from that history (fetched once), then go on live.
  const [since] = useState(() => Date.now() - WINDOW_POINTS * 1000);
  const histories = useQueries({
    queries: groups.map((g) => ({ ...trpc.streams.lagHistory.queryOptions({ vhost, name: stream, group: g.name, since }), staleTime: Infinity })),
  });
  const loaded = histories.filter((h) => h.isSuccess).length;
  const history = useMemo(() => {
    const bySecond = new Map<number, LagPoint>();
    histories.forEach((h, i) => {
      const group = groups[i];
      if (!group || !h.data) return;
      for (const p of h.data) {
        const at = Math.floor(p.at / 1000) * 1000;
        const point = bySecond.get(at) ?? ({ at } as LagPoint);
        point[`m:${group.name}`] = p.messages;
        point[`s:${group.name}`] = p.ms / 1000;
        bySecond.set(at, point);
      }
    });
    return [...bySecond.values()].sort((a, b) => a.at - b.at);
    // Recomputed when another group's history arrives; later refetches never happen (staleTime Infinity).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded, groups.length]);
  useEffect(() => {
    setPoints((prev) => {
      const last = prev.at(-1);
      if (last !== undefined && last.at >= sampledAt) return prev;
      const point: LagPoint = { at: sampledAt };
      for (const g of groups) {
        point[`m:${g.name}`] = g.lag.messages;
        point[`s:${g.name}`] = g.lag.ms / 1000;
      }
      const next = [...prev, point];
      return next.length > WINDOW_POINTS ? next.slice(-WINDOW_POINTS) : next;
    });
  }, [groups, sampledAt]);

  const firstLive = points[0]?.at ?? Infinity;
  const ranged = useStreamLagRange(
    vhost,
    stream,
    groups.map((g) => g.name),
    [...history.filter((p) => p.at < firstLive), ...points],
  );

  if (groups.length === 0)
    return (
      <div className="empty" role="status">
        No consumer groups. A consumer joins one with the <code>x-stream-group</code> consume argument.
      </div>
    );
  const lines = (prefix: string) => groups.map((g, i) => ({ key: `${prefix}${g.name}`, name: g.name, color: COLORS[i % COLORS.length]! }));
  return (
    <>
      <DataTable
        label="Consumer groups"
        columns={groupColumns(vhost, stream)}
        data={groups}
        getRowId={(g) => g.name}
        rowLabel={(g) => `Group ${g.name}`}
        height="content"
        urlPrefix="groups."
      />
      <div className="grid2">
        <TimeChart title="Lag in messages" unit="msgs" points={ranged.points} lines={lines('m:')} ranged={ranged} />
        <TimeChart title="Lag in time" unit="s" points={ranged.points} lines={lines('s:')} ranged={ranged} />
      </div>
    </>
  );
}
