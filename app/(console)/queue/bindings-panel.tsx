'use client';

import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { useMutate } from '../../_lib/use-mutate';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';

interface Binding {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Record<string, unknown>;
}

/** The queue's bindings: every exchange that routes to it, with add and remove. */
export function BindingsPanel({ vhost, queue, bindings }: { vhost: string; queue: string; bindings: Binding[] }) {
  const trpc = useTRPC();
  const exchanges = useQuery(trpc.exchanges.list.queryOptions({ vhost }));
  const [source, setSource] = useState('');
  const [routingKey, setRoutingKey] = useState('');
  const add = useMutate(trpc.bindings.add.mutationOptions({ onSuccess: () => setRoutingKey('') }), trpc.queues, trpc.routing, trpc.exchanges);
  const [unbinding, setUnbinding] = useState<Binding | null>(null);
  const remove = useMutate(trpc.bindings.remove.mutationOptions({ onSuccess: () => setUnbinding(null) }), trpc.queues, trpc.routing, trpc.exchanges);
  const columns: ColumnDef<Binding>[] = [
    { id: 'source', header: 'From exchange', size: 180, meta: { grow: true }, accessorFn: (b) => (b.source === '' ? '(default exchange)' : b.source) },
    {
      id: 'key',
      accessorKey: 'routingKey',
      header: 'Routing key',
      size: 160,
      cell: ({ row }) => <span title={row.original.routingKey}>{row.original.routingKey}</span>,
    },
    {
      id: 'arguments',
      header: 'Arguments',
      size: 160,
      enableSorting: false,
      cell: ({ row: { original: b } }) => (Object.keys(b.arguments).length ? JSON.stringify(b.arguments) : ''),
    },
    {
      id: 'actions',
      header: actionsHeader,
      size: 90,
      enableSorting: false,
      cell: ({ row: { original: b } }) =>
        b.source !== '' && (
          <button type="button" onClick={() => (remove.reset(), setUnbinding(b))} aria-label={`Unbind from ${b.source} with key ${b.routingKey}`}>
            Unbind…
          </button>
        ),
    },
  ];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ vhost, source, destination: queue, destinationType: 'queue', routingKey, arguments: {} });
  };

  return (
    <div className="card">
      <h2>Bindings</h2>
      <DataTable
        label="Bindings"
        columns={columns}
        data={bindings}
        getRowId={(b) => `${b.source}|${b.routingKey}|${JSON.stringify(b.arguments)}`}
        height="content"
        urlPrefix="bindings."
      />
      <form className="actions" onSubmit={submit} aria-label="Add binding">
        <label>
          From exchange
          <select value={source} onChange={(e) => setSource(e.target.value)} required>
            <option value="">Choose…</option>
            {exchanges.data
              ?.filter((x) => x.name !== '')
              .map((x) => (
                <option key={x.name} value={x.name}>
                  {x.name} ({x.type})
                </option>
              ))}
          </select>
        </label>
        <label>
          Routing key
          <input value={routingKey} onChange={(e) => setRoutingKey(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={add.isPending || source === ''}>
          Bind
        </button>
      </form>
      <ErrorNote errors={[add.error, remove.error]} />
      <ConfirmDialog
        open={unbinding !== null}
        title={`Unbind ${queue} from ${unbinding?.source ?? ''}?`}
        confirmLabel="Unbind"
        busy={remove.isPending}
        onCancel={() => setUnbinding(null)}
        onConfirm={() => unbinding && remove.mutate({ vhost, ...unbinding, arguments: unbinding.arguments as Record<string, string> })}
      >
        <p>
          Messages published to exchange <strong>{unbinding?.source}</strong> with key <strong>“{unbinding?.routingKey}”</strong> stop reaching queue{' '}
          <strong>{queue}</strong> at once.
        </p>
      </ConfirmDialog>
    </div>
  );
}
