'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { MessageViewer } from '../../_components/message-viewer';
import { ExportLink } from '../../_components/message-transfer';
import { useTRPC } from '../../_lib/trpc';
import { useMe } from '../../_lib/use-me';

interface Query {
  payload?: { text: string; regex: boolean; ignoreCase: boolean };
  json?: string[];
  headers?: { name: string; value: string }[];
  routingKey?: string;
}

/**
 * Searches this queue without consuming: payload text or pattern, JSON path
 * conditions (one a line), a header and the routing key. The search runs on
 * the server in slices; this panel shows its progress and the first matches.
 * Users who may change the vhost can delete what matched, purge the first N
 * and pause delivery.
 */
export function SearchPanel({ vhost, name, paused }: { vhost: string; name: string; paused: boolean }) {
  const trpc = useTRPC();
  const changes = useMe().canChange(vhost);
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.queues.get.queryKey({ vhost, name }) });
  const [text, setText] = useState('');
  const [regex, setRegex] = useState(false);
  const [json, setJson] = useState('');
  const [header, setHeader] = useState('');
  const [routingKey, setRoutingKey] = useState('');
  const [asked, setAsked] = useState<Query | null>(null);
  const [id, setId] = useState<number | null>(null);
  const [startError, setStartError] = useState<{ message: string } | null>(null);
  const [confirming, setConfirming] = useState<'delete' | 'purge' | null>(null);
  const [purgeCount, setPurgeCount] = useState(1);
  const [notice, setNotice] = useState('');

  const results = useQuery({
    ...trpc.search.results.queryOptions({ vhost, id: id ?? 1, limit: 50 }),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.progress.state === 'running' ? 500 : false),
  });
  // Starting and stopping a search are reads (monitoring users search too): fetched once per click, never cached.
  const stop = () => id !== null && queryClient.fetchQuery({ ...trpc.search.cancel.queryOptions({ vhost, id }), staleTime: 0 }).then(() => results.refetch());
  const done = (message: string) => (setConfirming(null), setNotice(message), refresh());
  const removeMatching = useMutation(trpc.messages.delete.mutationOptions({ onSuccess: (r) => done(`Deleted ${r.deleted} matching message(s).`) }));
  const purgeFirst = useMutation(trpc.messages.purgeFirst.mutationOptions({ onSuccess: (r) => done(`Purged the first ${r.purged} message(s).`) }));
  const pause = useMutation(trpc.messages.pause.mutationOptions({ onSuccess: () => done('Delivery paused: consumers stay attached and get nothing.') }));
  const resume = useMutation(trpc.messages.resume.mutationOptions({ onSuccess: () => done('Delivery resumed.') }));

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    const headerAt = header.indexOf('=');
    const query: Query = {
      payload: text === '' ? undefined : { text, regex, ignoreCase: false },
      json:
        json.trim() === ''
          ? undefined
          : json
              .split('\n')
              .map((l) => l.trim())
              .filter((l) => l !== ''),
      headers: headerAt > 0 ? [{ name: header.slice(0, headerAt).trim(), value: header.slice(headerAt + 1).trim() }] : undefined,
      routingKey: routingKey === '' ? undefined : routingKey,
    };
    setNotice('');
    setStartError(null);
    queryClient
      .fetchQuery({ ...trpc.search.start.queryOptions({ vhost, name, query }), staleTime: 0, gcTime: 0 })
      .then((started) => (setAsked(query), setId(started.id)))
      .catch((error: Error) => setStartError(error));
  };

  const progress = results.data?.progress;
  return (
    <div className="card">
      <h2>Search</h2>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ErrorNote errors={[startError, results.error, removeMatching.error, purgeFirst.error, pause.error, resume.error]} />
      <form className="actions" onSubmit={onSearch} aria-label="Search this queue">
        <label>
          Payload contains
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. refund" />
        </label>
        <label>
          <span>
            <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} /> Regular expression
          </span>
        </label>
        <label style={{ flex: '1 1 240px' }}>
          JSON path conditions, one a line
          <textarea rows={2} value={json} onChange={(e) => setJson(e.target.value)} placeholder="$.order.id == 42" />
        </label>
        <label>
          Header
          <input value={header} onChange={(e) => setHeader(e.target.value)} placeholder="name=value" />
        </label>
        <label>
          Routing key
          <input value={routingKey} onChange={(e) => setRoutingKey(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {progress && (
        <p role="status" aria-label="Search progress">
          {progress.state === 'running' ? 'Searching: ' : `Search ${progress.state}: `}
          {progress.scanned.toLocaleString()} of {progress.total.toLocaleString()} message(s) read, {progress.matched.toLocaleString()} matched
          {progress.matched > progress.keptHits && ` (the first ${progress.keptHits.toLocaleString()} are shown)`}
          {progress.truncatedBodies > 0 && `; ${progress.truncatedBodies.toLocaleString()} long payload(s) searched in their first part only`}.{' '}
          {progress.state === 'running' && (
            <button type="button" onClick={stop}>
              Stop
            </button>
          )}
          {progress.state === 'finished' && progress.matched > 0 && asked !== null && (
            <ExportLink vhost={vhost} name={name} selection={{ query: asked }}>
              {`Export the ${progress.matched.toLocaleString()} matching`}
            </ExportLink>
          )}{' '}
          {changes && progress.state === 'finished' && progress.matched > 0 && asked !== null && (
            <button type="button" className="danger" onClick={() => setConfirming('delete')}>
              Delete the {progress.matched.toLocaleString()} matching…
            </button>
          )}
        </p>
      )}
      {results.data?.hits.map((hit) => (
        <MessageViewer key={hit.seq} message={hit} title={`Message ${hit.seq} at position ${hit.position + 1}`} />
      ))}

      {changes && (
        <div className="actions" role="group" aria-label="Precise operations">
          <label>
            Purge the first
            <input type="number" min={1} value={purgeCount} onChange={(e) => setPurgeCount(Number(e.target.value))} style={{ width: 100 }} />
          </label>
          <button type="button" className="danger" disabled={!(purgeCount > 0)} onClick={() => setConfirming('purge')}>
            Purge first…
          </button>
          {paused ? (
            <button type="button" onClick={() => resume.mutate({ vhost, name })} disabled={resume.isPending}>
              Resume delivery
            </button>
          ) : (
            <button type="button" onClick={() => pause.mutate({ vhost, name })} disabled={pause.isPending}>
              Pause delivery
            </button>
          )}
        </div>
      )}

      <ConfirmDialog
        open={confirming === 'delete'}
        title={`Delete matching messages of ${name}?`}
        confirmLabel="Delete matching messages"
        busy={removeMatching.isPending}
        onCancel={() => setConfirming(null)}
        onConfirm={() => asked && removeMatching.mutate({ vhost, name, selection: { query: asked } })}
      >
        <p>Every ready message that matches this search now is deleted for good (the search runs again, so messages that arrived since count too).</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'purge'}
        title={`Purge the first ${purgeCount} of ${name}?`}
        confirmLabel={`Purge ${purgeCount} message(s)`}
        busy={purgeFirst.isPending}
        onCancel={() => setConfirming(null)}
        onConfirm={() => purgeFirst.mutate({ vhost, name, count: purgeCount })}
      >
        <p>The first {purgeCount.toLocaleString()} ready message(s) at the head of the queue are deleted for good.</p>
      </ConfirmDialog>
    </div>
  );
}
