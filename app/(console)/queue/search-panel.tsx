'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNote } from '../../_components/error-note';
import { MessageViewer } from '../../_components/message-viewer';
import { ExportLink } from '../../_components/message-transfer';
import { useTRPC } from '../../_lib/trpc';
import { useMe } from '../../_lib/use-me';
import { RepublishDialog, type EditableMessage } from './republish-dialog';

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
 * Users who may change the vhost can delete what matched, delete, move or
 * copy the messages they tick, edit one and republish it, purge the first N
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
  const [confirming, setConfirming] = useState<'delete' | 'purge' | 'delete-selected' | 'move' | 'copy' | null>(null);
  const [ticked, setTicked] = useState<ReadonlySet<number>>(new Set());
  const [otherQueue, setOtherQueue] = useState('');
  const [editing, setEditing] = useState<EditableMessage | null>(null);
  const [purgeCount, setPurgeCount] = useState(1);
  const [notice, setNotice] = useState('');

  const results = useQuery({
    ...trpc.search.results.queryOptions({ vhost, id: id ?? 1, limit: 50 }),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.progress.state === 'running' ? 500 : false),
  });
  // Starting and stopping a search are reads (monitoring users search too): fetched once per click, never cached.
  const stop = () => id !== null && queryClient.fetchQuery({ ...trpc.search.cancel.queryOptions({ vhost, id }), staleTime: 0 }).then(() => results.refetch());
  const done = (message: string) => {
    setConfirming(null);
    setTicked(new Set());
    setNotice(message);
    refresh();
    if (id !== null) results.refetch();
  };
  const toggle = (seq: number, on: boolean) =>
    setTicked((before) => {
      const after = new Set(before);
      if (on) after.add(seq);
      else after.delete(seq);
      return after;
    });
  const seqs = [...ticked];
  const removeMatching = useMutation(trpc.messages.delete.mutationOptions({ onSuccess: (r) => done(`Deleted ${r.deleted} matching message(s).`) }));
  const purgeFirst = useMutation(trpc.messages.purgeFirst.mutationOptions({ onSuccess: (r) => done(`Purged the first ${r.purged} message(s).`) }));
  const pause = useMutation(trpc.messages.pause.mutationOptions({ onSuccess: () => done('Delivery paused: consumers stay attached and get nothing.') }));
  const resume = useMutation(trpc.messages.resume.mutationOptions({ onSuccess: () => done('Delivery resumed.') }));
  const removeSelected = useMutation(trpc.messages.delete.mutationOptions({ onSuccess: (r) => done(`Deleted ${r.deleted} selected message(s).`) }));
  const moveSelected = useMutation(trpc.messages.move.mutationOptions({ onSuccess: (r) => done(`Moved ${r.moved} message(s) to ${otherQueue}.`) }));
  const copySelected = useMutation(trpc.messages.copy.mutationOptions({ onSuccess: (r) => done(`Copied ${r.copied} message(s) to ${otherQueue}.`) }));

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
      <ErrorNote
        errors={[
          startError,
          results.error,
          removeMatching.error,
          purgeFirst.error,
          pause.error,
          resume.error,
          removeSelected.error,
          moveSelected.error,
          copySelected.error,
        ]}
      />
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
      {changes && ticked.size > 0 && (
        <div className="actions" role="group" aria-label="Selected messages">
          <span>{ticked.size.toLocaleString()} selected</span>
          <label>
            To queue
            <input value={otherQueue} onChange={(e) => setOtherQueue(e.target.value)} placeholder="queue name" />
          </label>
          <button type="button" disabled={otherQueue === ''} onClick={() => setConfirming('move')}>
            Move selected…
          </button>
          <button type="button" disabled={otherQueue === ''} onClick={() => setConfirming('copy')}>
            Copy selected…
          </button>
          <button type="button" className="danger" onClick={() => setConfirming('delete-selected')}>
            Delete selected…
          </button>
          <button type="button" onClick={() => setTicked(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      {results.data?.hits.map((hit) => (
        <div key={hit.seq}>
          {changes && (
            <div className="actions">
              <label>
                <input type="checkbox" checked={ticked.has(hit.seq)} onChange={(e) => toggle(hit.seq, e.target.checked)} /> Select message {hit.seq}
              </label>
              <button type="button" onClick={() => setEditing(hit)}>
                Edit message {hit.seq}…
              </button>
            </div>
          )}
          <MessageViewer message={hit} title={`Message ${hit.seq} at position ${hit.position + 1}`} />
        </div>
      ))}
      {editing && (
        <RepublishDialog
          vhost={vhost}
          queue={name}
          message={editing}
          onClose={(message) => {
            setEditing(null);
            if (message) done(message);
          }}
        />
      )}

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
        open={confirming === 'delete-selected'}
        title={`Delete ${ticked.size} selected message(s) of ${name}?`}
        confirmLabel={`Delete ${ticked.size} message(s)`}
        busy={removeSelected.isPending}
        onCancel={() => setConfirming(null)}
        onConfirm={() => removeSelected.mutate({ vhost, name, selection: { seqs } })}
      >
        <p>The selected messages are deleted for good; any already consumed are skipped.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'move' || confirming === 'copy'}
        title={`${confirming === 'copy' ? 'Copy' : 'Move'} ${ticked.size} selected message(s) to ${otherQueue}?`}
        confirmLabel={`${confirming === 'copy' ? 'Copy' : 'Move'} ${ticked.size} message(s)`}
        busy={moveSelected.isPending || copySelected.isPending}
        onCancel={() => setConfirming(null)}
        onConfirm={() => (confirming === 'copy' ? copySelected : moveSelected).mutate({ vhost, name, to: otherQueue, selection: { seqs } })}
      >
        <p>
          {confirming === 'copy'
            ? `Copies stay in ${name} and new copies go to the end of ${otherQueue}.`
            : `They leave ${name} and go to the end of ${otherQueue}, each in exactly one of the two.`}
        </p>
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
