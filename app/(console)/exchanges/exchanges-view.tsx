'use client';

import Link from 'next/link';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { useTRPC, type AppRouterOutputs } from '../../_lib/trpc';
import { isNotFound, useLive } from '../../_lib/use-live';
import { useMutate } from '../../_lib/use-mutate';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { useUrlState } from '../../_lib/use-url-state';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { LOOK_ONLY, useMe } from '../../_lib/use-me';
import { exchangeHref, queueHref } from '../../_lib/links';
import { MissingObject } from '../../_components/missing-object';
import { UpdatedAgo } from '../../_components/updated-ago';

const TYPES = ['direct', 'fanout', 'topic', 'headers'] as const;
const displayName = (name: string) => (name === '' ? '(AMQP default)' : name);

type Exchange = AppRouterOutputs['exchanges']['list'][number];
type ExchangeBinding = AppRouterOutputs['exchanges']['get']['outgoing'][number];

const bindingColumns = (vhost: string): ColumnDef<ExchangeBinding>[] => [
  { id: 'source', accessorFn: (b) => displayName(b.source), header: 'From', size: 150 },
  {
    id: 'destination',
    accessorKey: 'destination',
    header: 'To',
    size: 200,
    meta: { grow: true },
    cell: ({ row: { original: b } }) =>
      b.destinationType === 'queue' ? <Link href={queueHref(vhost, b.destination)}>queue {b.destination}</Link> : `exchange ${b.destination}`,
  },
  { id: 'key', accessorKey: 'routingKey', header: 'Key', size: 140, cell: ({ row }) => `“${row.original.routingKey}”` },
];

function BindingList({ title, vhost, rows }: { title: string; vhost: string; rows: ExchangeBinding[] }) {
  return (
    <div>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <DataTable
          label={title}
          columns={bindingColumns(vhost)}
          data={rows}
          getRowId={(b) => `${b.source}|${b.destinationType}|${b.destination}|${b.routingKey}`}
          height="content"
          urlPrefix={title === 'Bindings from this exchange' ? 'out.' : 'in.'}
        />
      )}
    </div>
  );
}

const flags = (x: Exchange) =>
  [
    x.durable && 'durable',
    x.autoDelete && 'auto-delete',
    x.internal && 'internal',
    x.arguments['alternate-exchange'] ? `AE: ${String(x.arguments['alternate-exchange'])}` : '',
  ]
    .filter(Boolean)
    .join(', ');

const exchangeColumns = (onSelect: (name: string) => void, onDelete: (name: string) => void, changes: boolean): ColumnDef<Exchange>[] => [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Name',
    size: 200,
    meta: { grow: true },
    cell: ({ row: { original: x } }) => (
      <button type="button" className="link" onClick={() => onSelect(x.name)} title={displayName(x.name)}>
        {displayName(x.name)}
      </button>
    ),
  },
  { id: 'type', accessorKey: 'type', header: 'Type', size: 80 },
  { id: 'flags', accessorFn: flags, header: 'Flags', size: 160, meta: { hideable: true } },
  {
    id: 'in',
    accessorFn: (x) => x.counters.publishedIn,
    header: 'Published in',
    size: 110,
    meta: { numeric: true },
    cell: ({ row }) => row.original.counters.publishedIn.toLocaleString(),
  },
  {
    id: 'out',
    accessorFn: (x) => x.counters.publishedOut,
    header: 'Routed out',
    size: 100,
    meta: { numeric: true },
    cell: ({ row }) => row.original.counters.publishedOut.toLocaleString(),
  },
  {
    id: 'unroutable',
    accessorFn: (x) => x.counters.unroutable,
    header: 'Unroutable',
    size: 100,
    meta: { numeric: true },
    cell: ({ row }) => row.original.counters.unroutable.toLocaleString(),
  },
  {
    id: 'inRate',
    accessorFn: (x) => x.rates.publishIn,
    header: 'In/s',
    size: 70,
    meta: { numeric: true },
    cell: ({ row }) => row.original.rates.publishIn.toFixed(1),
  },
  {
    id: 'outRate',
    accessorFn: (x) => x.rates.publishOut,
    header: 'Out/s',
    size: 70,
    meta: { numeric: true },
    cell: ({ row }) => row.original.rates.publishOut.toFixed(1),
  },
  {
    id: 'actions',
    header: actionsHeader,
    size: 100,
    enableSorting: false,
    cell: ({ row: { original: x } }) =>
      x.name !== '' &&
      !x.name.startsWith('amq.') && (
        <button
          type="button"
          className="danger"
          disabled={!changes}
          title={changes ? undefined : LOOK_ONLY}
          onClick={() => onDelete(x.name)}
          aria-label={`Delete exchange ${x.name}`}
        >
          Delete…
        </button>
      ),
  },
];

export function ExchangesView() {
  const trpc = useTRPC();
  const [state, setState] = useUrlState({ vhost: '/', selected: '' });
  const detail = useLive({ ...trpc.exchanges.get.queryOptions({ vhost: state.vhost, name: state.selected }), enabled: state.selected !== '' });
  // An address naming an exchange that does not exist gets the not-found note alone, and nothing on the page asks again.
  const missing = isNotFound(detail.error);
  const list = useLive({ ...trpc.exchanges.list.queryOptions({ vhost: state.vhost }), enabled: !missing });
  const changes = useMe().canChange(state.vhost);
  const [form, setForm] = useState({
    name: '',
    type: 'direct' as (typeof TYPES)[number],
    durable: true,
    autoDelete: false,
    internal: false,
    alternateExchange: '',
  });
  const declare = useMutate(trpc.exchanges.declare.mutationOptions({ onSuccess: () => setForm({ ...form, name: '' }) }), trpc.routing);
  const [deleting, setDeleting] = useState<string | null>(null);
  const del = useMutate(trpc.exchanges.delete.mutationOptions({ onSuccess: () => (setDeleting(null), setState({ selected: '' })) }), trpc.routing);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    declare.mutate({ vhost: state.vhost, ...form, alternateExchange: form.alternateExchange || undefined });
  };

  if (missing)
    return (
      <MissingObject
        kind="exchange"
        vhost={state.vhost}
        name={state.selected}
        href={(n) => exchangeHref(state.vhost, n)}
        onFollow={(n) => setState({ selected: n })}
      />
    );
  return (
    <>
      <ErrorNote errors={[list.error, declare.error, del.error]} />
      <div className="card">
        <DataTable
          label="Exchanges"
          columns={exchangeColumns((name) => setState({ selected: name }), setDeleting, changes)}
          data={list.data ?? []}
          getRowId={(x) => x.name}
          rowClassName={(x) => (x.name === state.selected ? 'drow-selected' : undefined)}
          defaultSort={{ id: 'name' }}
          height="content"
          toolbar={<UpdatedAgo at={list.dataUpdatedAt} />}
        />
      </div>
      {detail.data && (
        <div className="card grid2" aria-label={`Exchange ${displayName(detail.data.name)}`}>
          <BindingList title="Bindings from this exchange" vhost={state.vhost} rows={detail.data.outgoing} />
          <BindingList title="Bindings to this exchange" vhost={state.vhost} rows={detail.data.incoming} />
        </div>
      )}
      <form className="card actions" onSubmit={submit} aria-label="Declare an exchange">
        <label>
          Name
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <label>
          Type
          <select value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as (typeof TYPES)[number] })}>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        {(['durable', 'autoDelete', 'internal'] as const).map((flag) => (
          <label key={flag}>
            <span>
              <input type="checkbox" checked={form[flag]} onChange={(e) => setForm({ ...form, [flag]: e.target.checked })} />{' '}
              {flag === 'autoDelete' ? 'auto-delete' : flag}
            </span>
          </label>
        ))}
        <label>
          Alternate exchange
          <input value={form.alternateExchange} onChange={(e) => setForm({ ...form, alternateExchange: e.target.value })} />
        </label>
        <button type="submit" className="primary" disabled={declare.isPending || !changes} title={changes ? undefined : LOOK_ONLY}>
          Declare exchange
        </button>
      </form>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete exchange ${deleting ?? ''}?`}
        confirmLabel="Delete exchange"
        busy={del.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ vhost: state.vhost, name: deleting })}
      >
        <p>The exchange and every binding from it are removed; messages published to it afterwards fail with 404.</p>
      </ConfirmDialog>
    </>
  );
}
