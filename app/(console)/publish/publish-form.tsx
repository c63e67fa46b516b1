'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { useUrlState } from '../../_lib/use-url-state';
import { HeaderRows, type HeaderRow } from '../../_components/header-rows';
import { ErrorNote } from '../../_components/error-note';
import { ImportMessages } from '../../_components/message-transfer';
import { LOOK_ONLY, useMe } from '../../_lib/use-me';

const PROPERTY_FIELDS = [
  ['correlationId', 'Correlation id'],
  ['replyTo', 'Reply to'],
  ['messageId', 'Message id'],
  ['expiration', 'Expiration (ms)'],
  ['type', 'Type'],
  ['appId', 'App id'],
] as const;

/** Publish one message by hand to any exchange, and see where it went. */
export function PublishForm() {
  const trpc = useTRPC();
  const [target, setTarget] = useUrlState({ vhost: '/', exchange: '', routingKey: '' });
  const vhosts = useQuery(trpc.system.vhosts.queryOptions());
  const changes = useMe().canChange(target.vhost);
  const exchanges = useQuery(trpc.exchanges.list.queryOptions({ vhost: target.vhost }));
  const [headers, setHeaders] = useState<HeaderRow[]>([]);
  const [payload, setPayload] = useState('{\n  \n}');
  const [contentType, setContentType] = useState('application/json');
  const [persistent, setPersistent] = useState(true);
  const [priority, setPriority] = useState('');
  const [props, setProps] = useState<Record<string, string>>({});
  const validHeaders = headers.filter((h) => h.key !== '');
  const trace = useQuery({
    ...trpc.publish.trace.queryOptions({ vhost: target.vhost, exchange: target.exchange, routingKey: target.routingKey, headers: validHeaders }),
    retry: false,
  });
  const send = useMutation(trpc.publish.send.mutationOptions());

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const extra = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== ''));
    send.mutate({
      vhost: target.vhost,
      exchange: target.exchange,
      routingKey: target.routingKey,
      headers: validHeaders,
      payload,
      properties: {
        ...extra,
        contentType: contentType || undefined,
        deliveryMode: persistent ? 2 : 1,
        priority: priority === '' ? undefined : Number(priority),
      },
    });
  };

  return (
    <>
      <form onSubmit={submit} aria-label="Publish a message" className="card">
        <div className="actions">
          <label>
            Vhost
            <select value={target.vhost} onChange={(e) => setTarget({ vhost: e.target.value, exchange: '' })}>
              {(vhosts.data ?? ['/']).map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </label>
          <label>
            Exchange
            <select value={target.exchange} onChange={(e) => setTarget({ exchange: e.target.value })}>
              {exchanges.data?.map((x) => (
                <option key={x.name} value={x.name}>
                  {x.name === '' ? '(default exchange: routing key = queue name)' : `${x.name} (${x.type})`}
                </option>
              ))}
            </select>
          </label>
          <label>
            Routing key
            <input value={target.routingKey} onChange={(e) => setTarget({ routingKey: e.target.value })} />
          </label>
        </div>
        <div className="actions">
          <label>
            Content type
            <input value={contentType} onChange={(e) => setContentType(e.target.value)} />
          </label>
          <label>
            <span>
              <input type="checkbox" checked={persistent} onChange={(e) => setPersistent(e.target.checked)} /> Persistent (delivery mode 2)
            </span>
          </label>
          <label>
            Priority
            <input type="number" min={0} max={255} value={priority} onChange={(e) => setPriority(e.target.value)} style={{ width: 80 }} />
          </label>
          {PROPERTY_FIELDS.map(([key, label]) => (
            <label key={key}>
              {label}
              <input value={props[key] ?? ''} onChange={(e) => setProps({ ...props, [key]: e.target.value })} />
            </label>
          ))}
        </div>
        <HeaderRows rows={headers} onChange={setHeaders} />
        <label className="block">
          Payload
          <textarea rows={8} value={payload} onChange={(e) => setPayload(e.target.value)} style={{ width: '100%', fontFamily: 'ui-monospace, monospace' }} />
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={send.isPending || !changes} title={changes ? undefined : LOOK_ONLY}>
            Publish message
          </button>
          <span className="muted" aria-live="polite" aria-label="Route preview">
            {trace.data
              ? trace.data.unroutable
                ? 'No queue would receive this message: it would be returned.'
                : `Would reach: ${trace.data.queues.join(', ')}`
              : trace.error
                ? trace.error.message
                : ''}
          </span>
        </div>
        <ErrorNote errors={[send.error]} />
        {send.data && (
          <p role="status" className="notice">
            {send.data.returned
              ? 'Returned: no queue is bound for this routing key, so the message was not delivered anywhere.'
              : `Published to ${send.data.routed} queue(s): ${send.data.queues.join(', ')}.`}
          </p>
        )}
      </form>
      {changes && (
        <div className="card">
          <h2>Import messages into {target.exchange === '' ? 'the default exchange' : `exchange ${target.exchange}`}</h2>
          <p className="muted">A JSON-lines file as an export writes it; lines without a routing key take the one above.</p>
          <ImportMessages vhost={target.vhost} into={{ exchange: target.exchange, routingKey: target.routingKey }} />
        </div>
      )}
    </>
  );
}
