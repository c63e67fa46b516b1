'use client';

import { useId, useState, type FormEvent } from 'react';
import { bindingKey, bindingLabel, type Binding, type Topology } from './graph-model';

/** Most rows and choices listed at once; the page's name filter narrows them. */
const MAX_LISTED = 200;

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
        <table className="table" aria-label="Bindings of this vhost">
          <thead>
            <tr>
              <th>From exchange</th>
              <th>To</th>
              <th>Key / arguments</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {bindings.map((b) => (
              <tr key={bindingKey(b)}>
                <td>{b.source}</td>
                <td>
                  {b.destinationType} {b.destination}
                </td>
                <td>{bindingLabel(b)}</td>
                <td>
                  <button type="button" onClick={() => onSelect(b)} aria-label={`Open binding from ${b.source} to ${b.destination} with key ${b.routingKey}`}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {matching.length > bindings.length && (
        <p className="muted">
          The first {bindings.length} of {matching.length.toLocaleString()} bindings; narrow them with “Show around”.
        </p>
      )}
    </section>
  );
}
