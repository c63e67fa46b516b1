'use client';

import Link from 'next/link';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { useUrlState } from '../../_lib/use-url-state';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';

const TYPES = ['direct', 'fanout', 'topic', 'headers'] as const;
const displayName = (name: string) => (name === '' ? '(AMQP default)' : name);

function BindingList({ title, rows }: { title: string; rows: { source: string; destination: string; destinationType: string; routingKey: string }[] }) {
  return (
    <div>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="table" aria-label={title}>
          <tbody>
            {rows.map((b) => (
              <tr key={`${b.source}|${b.destinationType}|${b.destination}|${b.routingKey}`}>
                <td>{displayName(b.source)}</td>
                <td>→</td>
                <td>
                  {b.destinationType === 'queue' ? (
                    <Link href={`/queue?vhost=${encodeURIComponent('/')}&name=${encodeURIComponent(b.destination)}`}>queue {b.destination}</Link>
                  ) : (
                    `exchange ${b.destination}`
                  )}
                </td>
                <td>key “{b.routingKey}”</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ExchangesView() {
  const trpc = useTRPC();
  const [state, setState] = useUrlState({ vhost: '/', selected: '' });
  const list = useQuery({ ...trpc.exchanges.list.queryOptions({ vhost: state.vhost }), refetchInterval: 2_000 });
  const detail = useQuery({ ...trpc.exchanges.get.queryOptions({ vhost: state.vhost, name: state.selected }), enabled: state.selected !== '', refetchInterval: 2_000 });
  const [form, setForm] = useState({ name: '', type: 'direct' as (typeof TYPES)[number], durable: true, autoDelete: false, internal: false, alternateExchange: '' });
  const declare = useMutation(trpc.exchanges.declare.mutationOptions({ onSuccess: () => (setForm({ ...form, name: '' }), list.refetch()) }));
  const [deleting, setDeleting] = useState<string | null>(null);
  const del = useMutation(trpc.exchanges.delete.mutationOptions({ onSuccess: () => (setDeleting(null), setState({ selected: '' }), list.refetch()) }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    declare.mutate({ vhost: state.vhost, ...form, alternateExchange: form.alternateExchange || undefined });
  };

  return (
    <>
      <ErrorNote errors={[list.error, declare.error, del.error]} />
      <div className="card">
        <table className="table" aria-label="Exchanges">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Flags</th>
              <th className="num">Published in</th>
              <th className="num">Routed out</th>
              <th className="num">Unroutable</th>
              <th className="num">In/s</th>
              <th className="num">Out/s</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.map((x) => (
              <tr key={x.name} aria-selected={state.selected === x.name}>
                <td>
                  <button type="button" className="link" onClick={() => setState({ selected: x.name })}>
                    {displayName(x.name)}
                  </button>
                </td>
                <td>{x.type}</td>
                <td>{[x.durable && 'durable', x.autoDelete && 'auto-delete', x.internal && 'internal', x.arguments['alternate-exchange'] ? `AE: ${String(x.arguments['alternate-exchange'])}` : ''].filter(Boolean).join(', ')}</td>
                <td className="num">{x.counters.publishedIn.toLocaleString()}</td>
                <td className="num">{x.counters.publishedOut.toLocaleString()}</td>
                <td className="num">{x.counters.unroutable.toLocaleString()}</td>
                <td className="num">{x.rates.publishIn.toFixed(1)}</td>
                <td className="num">{x.rates.publishOut.toFixed(1)}</td>
                <td>
                  {x.name !== '' && !x.name.startsWith('amq.') && (
                    <button type="button" className="danger" onClick={() => setDeleting(x.name)} aria-label={`Delete exchange ${x.name}`}>
                      Delete…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {detail.data && (
        <div className="card grid2" aria-label={`Exchange ${displayName(detail.data.name)}`}>
          <BindingList title="Bindings from this exchange" rows={detail.data.outgoing} />
          <BindingList title="Bindings to this exchange" rows={detail.data.incoming} />
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
              <input type="checkbox" checked={form[flag]} onChange={(e) => setForm({ ...form, [flag]: e.target.checked })} /> {flag === 'autoDelete' ? 'auto-delete' : flag}
            </span>
          </label>
        ))}
        <label>
          Alternate exchange
          <input value={form.alternateExchange} onChange={(e) => setForm({ ...form, alternateExchange: e.target.value })} />
        </label>
        <button type="submit" className="primary" disabled={declare.isPending}>
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
