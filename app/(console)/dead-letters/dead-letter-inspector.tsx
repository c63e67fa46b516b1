'use client';

import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { ExportLink } from '../../_components/message-transfer';
import { useLive } from '../../_lib/use-live';
import { DateTime } from '../../_components/date-time';
import { ErrorNote } from '../../_components/error-note';
import { MessageViewer } from '../../_components/message-viewer';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { useUrlState } from '../../_lib/use-url-state';
import { DeadLetterActions, type Selection } from './dead-letter-actions';

const PAGE = 50;
const REASONS = ['rejected', 'expired', 'maxlen', 'delivery_limit'] as const;
const DEFAULTS = { vhost: '/', queue: '', reason: '', original: '', from: '', to: '', text: '', page: '0' };

type DeadLetter = AppRouterOutputs['deadLetters']['list']['messages'][number];

/** A datetime-local field's value as epoch ms, or undefined when empty or invalid. */
function epoch(local: string): number | undefined {
  const ms = local === '' ? NaN : new Date(local).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** One dead letter opened: its payload is asked for once (a message never changes), not with the list every second. */
function OpenedDeadLetter({ vhost, queue, seq }: { vhost: string; queue: string; seq: number }) {
  const trpc = useTRPC();
  const message = useQuery({ ...trpc.deadLetters.message.queryOptions({ vhost, name: queue, seq }), staleTime: Infinity });
  if (message.error) return <ErrorNote errors={[message.error]} />;
  if (!message.data) return <p role="status">Loading message {seq}…</p>;
  return <MessageViewer message={message.data} title={`Message ${seq} of ${queue}`} />;
}

/** The DLQ inspector: pick a dead-letter queue, filter its messages, select and act on them. */
export function DeadLetterInspector() {
  const trpc = useTRPC();
  const [state, setState] = useUrlState(DEFAULTS);
  const queues = useLive(trpc.deadLetters.queues.queryOptions({}));
  const filter = {
    reason: (state.reason || undefined) as (typeof REASONS)[number] | undefined,
    originalQueue: state.original || undefined,
    from: epoch(state.from),
    to: epoch(state.to),
    text: state.text || undefined,
  };
  const page = Number(state.page) || 0;
  const list = useLive({
    ...trpc.deadLetters.list.queryOptions({ vhost: state.vhost, name: state.queue, filter, offset: page * PAGE, limit: PAGE }),
    enabled: state.queue !== '',
    placeholderData: (prev) => prev,
  });
  const [ticked, setTicked] = useState<Set<number>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [opened, setOpened] = useState<number | null>(null);

  // Any change of queue or filter starts a new selection on the first page.
  const change = (patch: Partial<typeof DEFAULTS>) => {
    setTicked(new Set());
    setAllMatching(false);
    setState({ page: '0', ...patch });
  };
  const total = list.data?.total ?? 0;
  const rows = list.data?.messages ?? [];
  const selection: Selection | null = allMatching ? { filter } : ticked.size > 0 ? { seqs: [...ticked] } : null;
  const selectedCount = allMatching ? total : ticked.size;
  const tick = (seq: number, on: boolean) => {
    setAllMatching(false);
    setTicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(seq);
      else next.delete(seq);
      return next;
    });
  };
  const pageTicked = rows.length > 0 && rows.every((m) => ticked.has(m.seq));
  const columns: ColumnDef<DeadLetter>[] = [
    {
      id: 'select',
      size: 44,
      enableSorting: false,
      enableResizing: false,
      header: () => (
        <input
          type="checkbox"
          aria-label="Select this page"
          checked={allMatching || pageTicked}
          onChange={(e) => rows.forEach((m) => tick(m.seq, e.target.checked))}
        />
      ),
      cell: ({ row: { original: m } }) => (
        <input
          type="checkbox"
          aria-label={`Select message ${m.seq}`}
          checked={allMatching || ticked.has(m.seq)}
          onChange={(e) => tick(m.seq, e.target.checked)}
        />
      ),
    },
    { id: 'reason', accessorFn: (m) => m.reason ?? '(never died)', header: 'Reason', size: 110 },
    { id: 'original', accessorFn: (m) => m.originalQueue ?? '—', header: 'Original queue', size: 150 },
    { id: 'attempts', accessorKey: 'attempts', header: 'Attempts', size: 85, meta: { numeric: true } },
    { id: 'deaths', accessorKey: 'deaths', header: 'Deaths', size: 75, meta: { numeric: true } },
    {
      id: 'firstDeath',
      accessorKey: 'firstDeathAt',
      header: 'First death',
      size: 170,
      meta: { hideable: true },
      cell: ({ row }) => <DateTime ms={row.original.firstDeathAt} />,
    },
    { id: 'lastDeath', accessorKey: 'lastDeathAt', header: 'Last death', size: 170, cell: ({ row }) => <DateTime ms={row.original.lastDeathAt} /> },
    {
      id: 'key',
      accessorFn: (m) => (m.routingKeys.length > 0 ? m.routingKeys.join(', ') : m.routingKey),
      header: 'Routing key',
      size: 140,
      meta: { grow: true },
    },
    { id: 'size', accessorKey: 'sizeBytes', header: 'Size', size: 80, meta: { numeric: true }, cell: ({ row }) => `${row.original.sizeBytes} B` },
    {
      id: 'view',
      header: actionsHeader,
      size: 70,
      enableSorting: false,
      cell: ({ row: { original: m } }) => (
        <button type="button" aria-expanded={opened === m.seq} onClick={() => setOpened(opened === m.seq ? null : m.seq)}>
          {opened === m.seq ? 'Hide' : 'View'}
        </button>
      ),
    },
  ];

  return (
    <div>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Queue to inspect">
        <label>
          Dead-letter queue{' '}
          <select
            value={`${state.vhost}\n${state.queue}`}
            onChange={(e) => change({ vhost: e.target.value.split('\n')[0], queue: e.target.value.split('\n')[1] ?? '' })}
          >
            <option value={`${state.vhost}\n`}>Choose…</option>
            {state.queue !== '' && !queues.data?.some((q) => q.vhost === state.vhost && q.name === state.queue) && (
              <option value={`${state.vhost}\n${state.queue}`}>{state.queue}</option>
            )}
            {queues.data?.map((q) => (
              <option key={`${q.vhost}\n${q.name}`} value={`${q.vhost}\n${q.name}`}>
                {q.name} ({q.ready.toLocaleString()}){q.vhost === '/' ? '' : ` in ${q.vhost}`}
              </option>
            ))}
          </select>
        </label>
        {queues.data?.length === 0 && <span className="muted">No dead-letter queue found (named *.dlq or bound to a dead-letter exchange).</span>}
      </form>
      <ErrorNote errors={[queues.error]} />
      {state.queue === '' ? (
        <div className="empty" role="status">
          Choose a dead-letter queue to read why its messages died.
        </div>
      ) : (
        <>
          <form className="toolbar" role="search" aria-label="Filter dead letters" onSubmit={(e) => e.preventDefault()}>
            <label>
              Reason{' '}
              <select value={state.reason} onChange={(e) => change({ reason: e.target.value })}>
                <option value="">Any</option>
                {REASONS.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Original queue <input value={state.original} onChange={(e) => change({ original: e.target.value })} />
            </label>
            <label>
              Died from <input type="datetime-local" step={1} value={state.from} onChange={(e) => change({ from: e.target.value })} />
            </label>
            <label>
              to <input type="datetime-local" step={1} value={state.to} onChange={(e) => change({ to: e.target.value })} />
            </label>
            <label>
              Payload contains <input type="search" value={state.text} onChange={(e) => change({ text: e.target.value })} />
            </label>
            <span className="muted" role="status" aria-label="Matching">
              {list.data ? `${total.toLocaleString()} matching` : 'Loading…'}
            </span>
          </form>
          <ErrorNote errors={[list.error]} />
          <div className="actions">
            <button type="button" disabled={total === 0} onClick={() => (setAllMatching(true), setTicked(new Set()))}>
              Select all {total.toLocaleString()} matching
            </button>
            <button type="button" disabled={selectedCount === 0} onClick={() => (setAllMatching(false), setTicked(new Set()))}>
              Clear selection
            </button>
            {!allMatching && ticked.size > 0 ? (
              <ExportLink vhost={state.vhost} name={state.queue} selection={{ seqs: [...ticked] }}>
                {`Export the ${ticked.size.toLocaleString()} selected`}
              </ExportLink>
            ) : (
              <ExportLink vhost={state.vhost} name={state.queue}>
                {`Export all of ${state.queue}`}
              </ExportLink>
            )}
          </div>
          <DeadLetterActions
            vhost={state.vhost}
            queue={state.queue}
            selection={selection}
            count={selectedCount}
            onDone={() => (setTicked(new Set()), setAllMatching(false))}
          />
          {list.data && total === 0 ? (
            <div className="empty" role="status">
              {Object.values(filter).some((v) => v !== undefined) ? 'No dead letter matches this filter.' : `${state.queue} is empty.`}
            </div>
          ) : (
            <DataTable
              label="Dead letters"
              columns={columns}
              data={rows}
              getRowId={(m) => String(m.seq)}
              detail={(m) => opened === m.seq && <OpenedDeadLetter vhost={state.vhost} queue={state.queue} seq={m.seq} />}
            />
          )}
          {total > PAGE && (
            <div className="actions">
              <button type="button" disabled={page === 0} onClick={() => setState({ page: String(page - 1) })}>
                Previous page
              </button>
              <span className="muted">
                Messages {page * PAGE + 1}–{Math.min(total, (page + 1) * PAGE)} of {total.toLocaleString()}
              </span>
              <button type="button" disabled={(page + 1) * PAGE >= total} onClick={() => setState({ page: String(page + 1) })}>
                Next page
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
