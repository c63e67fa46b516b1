'use client';

import Link from 'next/link';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useState, type UIEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { useUrlState } from '../../_lib/use-url-state';
import { formatBytes } from '../../_lib/format';
import { Sparkline } from '../../_components/sparkline';
import { ArgumentBadges } from './argument-badges';
import type { QueueSortColumn } from '../../../server/api/routers/queues';
import { ErrorNote } from '../../_components/error-note';

const ROW_HEIGHT = 36;
const BLOCK = 100; // rows fetched per request: the browser only asks for what is on screen
const VIEWPORT_ROWS = 16;

const COLUMNS: { key: QueueSortColumn | 'features' | 'depth' | 'utilisation' | 'state'; label: string; numeric?: boolean; width: string }[] = [
  { key: 'name', label: 'Name', width: 'minmax(180px, 2fr)' },
  { key: 'vhost', label: 'Vhost', width: '70px' },
  { key: 'type', label: 'Type', width: '70px' },
  { key: 'ready', label: 'Ready', numeric: true, width: '80px' },
  { key: 'unacked', label: 'Unacked', numeric: true, width: '80px' },
  { key: 'total', label: 'Total', numeric: true, width: '80px' },
  { key: 'bytes', label: 'Bytes', numeric: true, width: '90px' },
  { key: 'incoming', label: 'In/s', numeric: true, width: '70px' },
  { key: 'deliver', label: 'Deliver/s', numeric: true, width: '80px' },
  { key: 'ack', label: 'Ack/s', numeric: true, width: '70px' },
  { key: 'consumers', label: 'Consumers', numeric: true, width: '100px' },
  { key: 'utilisation', label: 'Utilisation', numeric: true, width: '100px' },
  { key: 'state', label: 'State', width: '70px' },
  { key: 'features', label: 'Features', width: 'minmax(120px, 1fr)' },
  { key: 'depth', label: 'Depth, 1 min', width: '110px' },
];
const GRID = COLUMNS.map((c) => c.width).join(' ');
const DEFAULTS = { vhost: '', filter: '', regex: '', sort: 'name', dir: 'asc' };

const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function QueueTable() {
  const trpc = useTRPC();
  const [state, setState] = useUrlState(DEFAULTS);
  const [scrollTop, setScrollTop] = useState(0);
  const vhosts = useQuery(trpc.system.vhosts.queryOptions());

  const base = {
    vhost: state.vhost || undefined,
    filter: state.filter,
    regex: state.regex === '1',
    sort: state.sort as QueueSortColumn,
    dir: state.dir as 'asc' | 'desc',
  };
  const firstRow = Math.floor(scrollTop / ROW_HEIGHT);
  const firstBlock = Math.floor(firstRow / BLOCK);
  const lastBlock = Math.floor((firstRow + VIEWPORT_ROWS + 4) / BLOCK);
  const blocks: number[] = [];
  for (let b = firstBlock; b <= lastBlock; b++) blocks.push(b);
  const pages = useQueries({
    queries: blocks.map((b) => ({
      ...trpc.queues.list.queryOptions({ ...base, offset: b * BLOCK, limit: BLOCK }),
      refetchInterval: 1_000,
      placeholderData: (prev: unknown) => prev as never,
    })),
  });

  const total = pages.find((p) => p.data)?.data?.total;
  const error = pages.find((p) => p.error)?.error;
  const rows = new Map<number, NonNullable<(typeof pages)[number]['data']>['rows'][number]>();
  pages.forEach((p, i) => p.data?.rows.forEach((r, j) => rows.set(blocks[i]! * BLOCK + j, r))); // one page per block

  const sortBy = (key: QueueSortColumn) =>
    setState({ sort: key, dir: state.sort === key && state.dir === 'asc' ? 'desc' : key === 'name' || key === 'vhost' ? 'asc' : 'desc' });

  const visible: number[] = [];
  if (total !== undefined) for (let i = firstRow; i < Math.min(total, firstRow + VIEWPORT_ROWS + 4); i++) visible.push(i);

  return (
    <div>
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Filter by name{' '}
          <input
            type="search"
            value={state.filter}
            placeholder={state.regex === '1' ? 'regular expression' : 'part of the name'}
            onChange={(e) => setState({ filter: e.target.value })}
          />
        </label>
        <label>
          <input type="checkbox" checked={state.regex === '1'} onChange={(e) => setState({ regex: e.target.checked ? '1' : '' })} /> Regex
        </label>
        <label>
          Vhost{' '}
          <select value={state.vhost} onChange={(e) => setState({ vhost: e.target.value })}>
            <option value="">All</option>
            {vhosts.data?.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" role="status" aria-live="polite">
          {total === undefined ? 'Loading…' : `${total.toLocaleString()} ${total === 1 ? 'queue' : 'queues'}`}
        </span>
      </form>
      <ErrorNote errors={[error]} />
      <div className="vtable" role="table" aria-label="Queues" aria-rowcount={total ?? -1}>
        <div className="vrow vhead" role="row" style={{ gridTemplateColumns: GRID }}>
          {COLUMNS.map((c) => {
            const sortable = !['features', 'depth', 'utilisation', 'state'].includes(c.key);
            const sorted = state.sort === c.key;
            return (
              <div
                key={c.key}
                role="columnheader"
                className={c.numeric ? 'num' : undefined}
                aria-sort={sorted ? (state.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {sortable ? (
                  <button type="button" onClick={() => sortBy(c.key as QueueSortColumn)}>
                    {c.label}
                    {sorted ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                ) : (
                  c.label
                )}
              </div>
            );
          })}
        </div>
        <div className="vbody" style={{ height: ROW_HEIGHT * VIEWPORT_ROWS }} onScroll={(e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop)}>
          {total === 0 && <div className="empty">{state.filter ? 'No queue matches this filter.' : 'No queues yet. Declare one from a client or the publish page.'}</div>}
          <div style={{ height: (total ?? 0) * ROW_HEIGHT, position: 'relative' }}>
            {visible.map((i) => {
              const q = rows.get(i);
              return (
                <div
                  key={i}
                  role="row"
                  aria-rowindex={i + 2}
                  className="vrow"
                  style={{ gridTemplateColumns: GRID, position: 'absolute', top: i * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0 }}
                >
                  {q ? (
                    <>
                      <div role="cell">
                        <Link href={`/queue?vhost=${encodeURIComponent(q.vhost)}&name=${encodeURIComponent(q.name)}`}>{q.name}</Link>
                        {q.paused && <span className="badge" title="Delivery paused from the console"> paused</span>}
                      </div>
                      <div role="cell">{q.vhost}</div>
                      <div role="cell">{q.type}</div>
                      <div role="cell" className="num">{q.ready.toLocaleString()}</div>
                      <div role="cell" className="num">{q.unacked.toLocaleString()}</div>
                      <div role="cell" className="num">{q.total.toLocaleString()}</div>
                      <div role="cell" className="num">{formatBytes(q.readyBytes)}</div>
                      <div role="cell" className="num">{rate(q.rates.incoming)}</div>
                      <div role="cell" className="num">{rate(q.rates.deliver)}</div>
                      <div role="cell" className="num">{rate(q.rates.ack)}</div>
                      <div role="cell" className="num">{q.consumers}</div>
                      <div role="cell" className="num" title="Share of the last second in which consumers could take messages at once">
                        {q.rates.utilisation === null ? '—' : `${Math.round(q.rates.utilisation * 100)}%`}
                      </div>
                      <div role="cell">{q.rates.incoming + q.rates.deliver + q.rates.ack > 0 ? 'running' : 'idle'}</div>
                      <div role="cell">
                        <ArgumentBadges args={q.effectiveArguments} policy={q.policy} durable={q.durable} exclusive={q.exclusive} autoDelete={q.autoDelete} />
                      </div>
                      <div role="cell">
                        <Sparkline values={q.depth} label={`Depth of ${q.name}`} />
                      </div>
                    </>
                  ) : (
                    <div role="cell" className="muted">
                      Loading…
                    </div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
