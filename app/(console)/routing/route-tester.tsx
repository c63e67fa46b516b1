'use client';

import { useMutation } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { DataTable } from '../../_components/data-table';
import { HeaderRows, type HeaderRow } from '../../_components/header-rows';
import { useTRPC } from '../../_lib/trpc';
import { bindingLabel, type Args } from './graph-model';

export interface TestedRoute {
  exchange: string;
  routingKey: string;
  headers: HeaderRow[];
}

export interface TraceView {
  queues: string[];
  unroutable: boolean;
  steps: {
    exchange: string;
    via: string;
    matched: boolean;
    reason: string;
    binding: { source: string; destination: string; destinationType: 'queue' | 'exchange'; routingKey: string; arguments: unknown } | null;
  }[];
}

type Step = TraceView['steps'][number] & { i: number };

// In the order the engine examined them: sorting is there to regroup, not needed to read.
const STEP_COLUMNS: ColumnDef<Step>[] = [
  {
    id: 'exchange',
    accessorFn: (s) => s.exchange,
    header: 'Exchange',
    size: 220,
    cell: ({ row: { original: s } }) => (
      <>
        {s.exchange === '' ? '(default)' : s.exchange}
        {s.via !== 'publish' && <span className="muted"> via {s.via.replace('-', ' ')}</span>}
      </>
    ),
  },
  {
    id: 'binding',
    header: 'Binding',
    size: 260,
    meta: { wrap: true, grow: true },
    accessorFn: (s) =>
      s.binding
        ? `→ ${s.binding.destinationType} ${s.binding.destination}: ${bindingLabel({ ...s.binding, arguments: s.binding.arguments as Args })}`
        : '(implicit)',
  },
  { id: 'matched', header: 'Matched', size: 85, accessorFn: (s) => (s.matched ? 'yes' : 'no') },
  { id: 'why', accessorKey: 'reason', header: 'Why', size: 260, meta: { wrap: true } },
];

/**
 * The routing tester: exchange, routing key and headers in; the page asks the
 * engine for the trace and highlights it on the graph; this lists each binding
 * examined with why it matched or not, and can publish the same message.
 */
export function RouteTester({
  vhost,
  exchanges,
  trace,
  error,
  onTest,
}: {
  vhost: string;
  exchanges: { name: string; type: string }[];
  trace: TraceView | null;
  error: string | null;
  onTest: (route: TestedRoute | null) => void;
}) {
  const trpc = useTRPC();
  const [exchange, setExchange] = useState('');
  const [routingKey, setRoutingKey] = useState('');
  const [headers, setHeaders] = useState<HeaderRow[]>([]);
  const [payload, setPayload] = useState('{"test": true}');
  const [tested, setTested] = useState<TestedRoute | null>(null);
  const send = useMutation(trpc.publish.send.mutationOptions());

  const test = (e: FormEvent) => {
    e.preventDefault();
    send.reset();
    const route = { exchange, routingKey, headers };
    setTested(route);
    onTest(route);
  };
  // Publishes exactly what was tested, even if the form was changed since.
  const publish = () => tested && send.mutate({ ...tested, vhost, payload, properties: { contentType: 'application/json', deliveryMode: 2 } });

  return (
    <section className="card" aria-labelledby="tester-title">
      <h2 id="tester-title">Routing tester</h2>
      <form onSubmit={test} aria-label="Test a route">
        <div className="actions">
          <label>
            Exchange
            <select value={exchange} onChange={(e) => setExchange(e.target.value)} required>
              <option value="">Choose…</option>
              {exchanges.map((x) => (
                <option key={x.name} value={x.name}>
                  {x.name === '' ? '(default exchange)' : `${x.name} (${x.type})`}
                </option>
              ))}
            </select>
          </label>
          <label>
            Routing key
            <input value={routingKey} onChange={(e) => setRoutingKey(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={exchange === ''}>
            Test route
          </button>
          {trace && (
            <button type="button" onClick={() => (setTested(null), onTest(null))}>
              Clear
            </button>
          )}
        </div>
        <HeaderRows rows={headers} onChange={setHeaders} />
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {trace && (
        <>
          <p role="status" aria-label="Route result">
            {trace.unroutable ? 'Unroutable: no queue would receive this message.' : `Would reach ${trace.queues.length} queue(s): ${trace.queues.join(', ')}`}
          </p>
          <DataTable
            label="Bindings examined"
            columns={STEP_COLUMNS}
            data={trace.steps.map((step, i) => ({ ...step, i }))}
            getRowId={(s) => String(s.i)}
            rowClassName={(s) => (s.matched ? 'row-matched' : undefined)}
            urlPrefix="steps."
            height="content"
          />
          <div className="actions">
            <label style={{ flex: '1 1 320px' }}>
              Payload
              <textarea rows={2} value={payload} onChange={(e) => setPayload(e.target.value)} />
            </label>
            <button type="button" onClick={publish} disabled={send.isPending}>
              Publish this
            </button>
          </div>
          {send.data && (
            <p role="status" className="notice">
              {send.data.routed > 0
                ? `Published: routed to ${send.data.routed} queue(s) (${send.data.queues.join(', ')}).`
                : 'Published, but no queue took it.'}
            </p>
          )}
          {send.error && (
            <p role="alert" className="error">
              {send.error.message}
            </p>
          )}
        </>
      )}
    </section>
  );
}
