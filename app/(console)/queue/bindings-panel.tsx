'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
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
  const queryClient = useQueryClient();
  const exchanges = useQuery(trpc.exchanges.list.queryOptions({ vhost }));
  const [source, setSource] = useState('');
  const [routingKey, setRoutingKey] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.queues.get.queryKey({ vhost, name: queue }) });
  const add = useMutation(trpc.bindings.add.mutationOptions({ onSuccess: () => (setRoutingKey(''), refresh()) }));
  const remove = useMutation(trpc.bindings.remove.mutationOptions({ onSuccess: refresh }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ vhost, source, destination: queue, destinationType: 'queue', routingKey, arguments: {} });
  };

  return (
    <div className="card">
      <h2>Bindings</h2>
      <table className="table" aria-label="Bindings">
        <thead>
          <tr>
            <th>From exchange</th>
            <th>Routing key</th>
            <th>Arguments</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {bindings.map((b) => (
            <tr key={`${b.source}|${b.routingKey}|${JSON.stringify(b.arguments)}`}>
              <td>{b.source === '' ? '(default exchange)' : b.source}</td>
              <td>{b.routingKey}</td>
              <td>{Object.keys(b.arguments).length ? JSON.stringify(b.arguments) : ''}</td>
              <td>
                {b.source !== '' && (
                  <button type="button" onClick={() => remove.mutate({ vhost, ...b, arguments: b.arguments as Record<string, string> })} aria-label={`Unbind from ${b.source} with key ${b.routingKey}`}>
                    Unbind
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
    </div>
  );
}
