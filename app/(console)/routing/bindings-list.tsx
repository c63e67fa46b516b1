'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { useId, useState, type FormEvent } from 'react';
import { actionsHeader, DataTable } from '../../_components/data-table';
import { bindingKey, bindingLabel, type Binding, type Topology } from './graph-model';

/** Most rows and choices listed at once; the page's name filter narrows them. */
const MAX_LISTED = 200;

const bindingColumns = (onSelect: (b: Binding) => void): ColumnDef<Binding>[] => [
  { id: 'source', accessorKey: 'source', header: 'From exchange', size: 170 },
  { id: 'to', accessorFn: (b) => `${b.destinationType} ${b.destination}`, header: 'To', size: 200, meta: { grow: true } },
  { id: 'key', accessorFn: (b) => bindingLabel(b), header: 'Key / arguments', size: 200, meta: { wrap: true } },
  {
    id: 'actions',
    header: actionsHeader,
    size: 80,
    enableSorting: false,
    cell: ({ row: { original: b } }) => (
      <button type="button" onClick={() => onSelect(b)} aria-label={`Open binding from ${b.source} to ${b.destination} with key ${b.routingKey}`}>
        Open
      </button>
    ),
  },
];

/**
 * The graph's bindings as a table, for keyboard and screen-reader users: the
 * same edit and delete as clicking an edge, and a form that does what a drag does.
 * Filtered by the same name as the graph.
 */
export function BindingsList({
  topology,
  search,
  onSelect,
  onPropose,
}: {
  topology: Topology;
  search: string;
  onSelect: (b: Binding) => void;
  onPropose: (source: string, destination: string, destinationType: 'queue' | 'exchange') => void;
}) {
  const [source, setSource] = useState('');
  const [target, setTarget] = useState('');
  const id = useId();
  const needle = search.trim().toLowerCase();
  const named = (name: string) => name.toLowerCase().includes(needle);
  const exchanges = topology.exchanges.filter((e) => e.name !== '' && named(e.name)).slice(0, MAX_LISTED);
  const queues = topology.queues.filter((q) => named(q.name)).slice(0, MAX_LISTED);
  const matching = topology.bindings.filter((b) => named(b.source) || named(b.destination));
  const bindings = matching.slice(0, MAX_LISTED);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const [kind, ...rest] = target.split(':');
    onPropose(source, rest.join(':'), kind === 'q' ? 'queue' : 'exchange');
  };
  return (
    <section className="card" aria-labelledby="bindings-list-title">
      <h2 id="bindings-list-title">Bindings</h2>
      <form className="actions" onSubmit={submit} aria-label="Add a binding">
        <label>
          <span id={`${id}-from`}>From exchange</span>
          <select aria-labelledby={`${id}-from`} value={source} onChange={(e) => setSource(e.target.value)} required>
            <option value="">Choose…</option>
            {exchanges.map((x) => (
              <option key={x.name} value={x.name}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span id={`${id}-to`}>To</span>
          <select aria-labelledby={`${id}-to`} value={target} onChange={(e) => setTarget(e.target.value)} required>
            <option value="">Choose…</option>
            <optgroup label="Queues">
              {queues.map((q) => (
                <option key={q.name} value={`q:${q.name}`}>
                  {q.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Exchanges">
              {exchanges.map((x) => (
                <option key={x.name} value={`x:${x.name}`}>
                  {x.name}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <button type="submit" disabled={source === '' || target === ''}>
          Bind…
        </button>
      </form>
      {bindings.length === 0 ? (
        <p className="muted">{needle ? 'No binding involves this name.' : "No bindings in this vhost yet (besides the default exchange's)."}</p>
      ) : (
        <DataTable
          label="Bindings of this vhost"
          columns={bindingColumns(onSelect)}
          data={bindings}
          getRowId={bindingKey}
          urlPrefix="bindings."
          height="content"
        />
      )}
      {matching.length > bindings.length && (
        <p className="muted">
          The first {bindings.length} of {matching.length.toLocaleString()} bindings; narrow them with “Show around”.
        </p>
      )}
    </section>
  );
}
