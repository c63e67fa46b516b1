'use client';

import { useRouter } from 'next/navigation';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMutate } from '../../_lib/use-mutate';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { useMe } from '../../_lib/use-me';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { MessageViewer, type ViewedMessage } from '../../_components/message-viewer';
import { ErrorNote } from '../../_components/error-note';
import { JourneyLink } from '../journey/journey-link';
import { ExportLink, ImportMessages } from '../../_components/message-transfer';

type Pending = 'purge' | 'delete' | 'move' | null;

/** What a person can do to one queue: publish, get, browse, export, import, move, purge, delete. */
export function QueueActions({ vhost, name, ready, total }: { vhost: string; name: string; ready: number; total: number }) {
  const trpc = useTRPC();
  const changes = useMe().canChange(vhost);
  const router = useRouter();
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState('');
  const [shown, setShown] = useState<{ title: string; messages: (ViewedMessage & { label: string })[] } | null>(null);

  // Publish
  const [payload, setPayload] = useState('');
  const [contentType, setContentType] = useState('application/json');
  const [persistent, setPersistent] = useState(true);
  const publish = useMutate(trpc.queues.publish.mutationOptions({ onSuccess: (r) => setNotice(r.routed ? 'Message published.' : 'Message was not routed.') }));

  // Get and browse
  const [count, setCount] = useState(10);
  const [getMode, setGetMode] = useState<'requeue' | 'ack'>('requeue');
  const get = useMutate(
    trpc.queues.getMessages.mutationOptions({
      onSuccess: (msgs) => {
        setShown({
          title: `Got ${msgs.length} message(s) (${getMode === 'ack' ? 'removed from the queue' : 'requeued'})`,
          messages: msgs.map((m, i) => ({ ...m, label: `Message ${i + 1}` })),
        });
      },
    }),
  );
  const [browseCount, setBrowseCount] = useState(20);
  const [browsing, setBrowsing] = useState(false);
  const browse = useQuery({ ...trpc.queues.browse.queryOptions({ vhost, name, limit: browseCount }), enabled: browsing });

  // Move, purge, delete
  const [moveTo, setMoveTo] = useState('');
  const [moveCount, setMoveCount] = useState('all');
  const move = useMutate(trpc.queues.move.mutationOptions({ onSuccess: (r) => (setPending(null), setNotice(`Moved ${r.moved} message(s) to ${moveTo}.`)) }));
  const purge = useMutate(trpc.queues.purge.mutationOptions({ onSuccess: (r) => (setPending(null), setNotice(`Purged ${r.purged} message(s).`)) }));
  // Not invalidated: the deleted queue's own page would ask for it again and be told it is gone.
  const del = useMutation(trpc.queues.delete.mutationOptions({ onSuccess: () => router.push('/queues') }));
  const error = publish.error ?? get.error ?? browse.error ?? move.error ?? purge.error ?? del.error;

  const onPublish = (e: FormEvent) => {
    e.preventDefault();
    publish.mutate({ vhost, name, payload, properties: { contentType: contentType || undefined, deliveryMode: persistent ? 2 : 1 }, headers: [] });
  };
  const moveCountValue = moveCount === 'all' ? ('all' as const) : Number(moveCount);
  const moveLabel = moveCount === 'all' ? `all ${ready.toLocaleString()} ready` : `${moveCount}`;

  const browsed = browsing && browse.data ? browse.data : null;
  return (
    <div className="card">
      <h2>Actions</h2>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ErrorNote errors={[error]} />
      {!changes && (
        <p className="muted">
          Read-only: you may browse this queue; publishing, getting, moving, purging and deleting need the management tag and a permission on vhost {vhost}.
        </p>
      )}

      {changes && (
        <form className="actions" onSubmit={onPublish} aria-label="Publish to this queue">
          <label style={{ flex: '1 1 320px' }}>
            Payload
            <textarea rows={3} value={payload} onChange={(e) => setPayload(e.target.value)} />
          </label>
          <label>
            Content type
            <input value={contentType} onChange={(e) => setContentType(e.target.value)} />
          </label>
          <label>
            <span>
              <input type="checkbox" checked={persistent} onChange={(e) => setPersistent(e.target.checked)} /> Persistent
            </span>
          </label>
          <button type="submit" className="primary" disabled={publish.isPending}>
            Publish
          </button>
        </form>
      )}

      <div className="actions" role="group" aria-label="Read messages">
        <label>
          Browse first
          <input type="number" min={1} max={500} value={browseCount} onChange={(e) => setBrowseCount(Number(e.target.value))} style={{ width: 80 }} />
        </label>
        <button type="button" onClick={() => (setShown(null), setBrowsing(true), browse.refetch())}>
          Browse
        </button>
        {changes && (
          <>
            <label>
              Get
              <input type="number" min={1} max={100} value={count} onChange={(e) => setCount(Number(e.target.value))} style={{ width: 80 }} />
            </label>
            <label>
              Mode
              <select value={getMode} onChange={(e) => setGetMode(e.target.value as 'ack' | 'requeue')}>
                <option value="requeue">Requeue (keep them)</option>
                <option value="ack">Ack (remove them)</option>
              </select>
            </label>
            <button type="button" onClick={() => (setBrowsing(false), get.mutate({ vhost, name, count, mode: getMode }))} disabled={get.isPending}>
              Get messages
            </button>
          </>
        )}
      </div>

      <div className="actions" role="group" aria-label="Export and import">
        <ExportLink vhost={vhost} name={name}>
          Export all messages
        </ExportLink>
        <span className="muted">as JSON lines, left in the queue</span>
      </div>
      {changes && <ImportMessages vhost={vhost} into={{ queue: name }} />}

      {changes && (
        <div className="actions" role="group" aria-label="Move, purge or delete">
          <label>
            Move to queue
            <input value={moveTo} onChange={(e) => setMoveTo(e.target.value)} placeholder="queue name" />
          </label>
          <label>
            How many
            <input value={moveCount} onChange={(e) => setMoveCount(e.target.value)} style={{ width: 80 }} aria-describedby="move-help" />
          </label>
          <span id="move-help" className="muted">
            a number or “all”
          </span>
          <button type="button" disabled={moveTo === '' || !(moveCount === 'all' || Number(moveCount) > 0)} onClick={() => setPending('move')}>
            Move…
          </button>
          <button type="button" className="danger" onClick={() => setPending('purge')}>
            Purge…
          </button>
          <button type="button" className="danger" onClick={() => setPending('delete')}>
            Delete…
          </button>
        </div>
      )}

      {browsed && (
        <section aria-label="Browsed messages">
          <p className="muted">The first {browsed.length} ready message(s), left in the queue in the same order.</p>
          {browsed.map((m) => (
            <div key={m.position}>
              <MessageViewer message={m} title={`Message at position ${m.position + 1}`} />
              <JourneyLink vhost={vhost} brokerId={m.brokerId} />
            </div>
          ))}
        </section>
      )}
      {shown && (
        <section aria-label="Fetched messages">
          <p className="muted">{shown.title}</p>
          {shown.messages.map((m) => (
            <MessageViewer key={m.label} message={m} title={m.label} />
          ))}
        </section>
      )}

      <ConfirmDialog
        open={pending === 'purge'}
        title={`Purge ${name}?`}
        confirmLabel={`Purge ${ready.toLocaleString()} messages`}
        busy={purge.isPending}
        onCancel={() => setPending(null)}
        onConfirm={() => purge.mutate({ vhost, name })}
      >
        <p>
          This deletes the <strong>{ready.toLocaleString()}</strong> ready message(s) of queue <strong>{name}</strong>. Unacknowledged messages stay. This
          cannot be undone.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={pending === 'delete'}
        title={`Delete queue ${name}?`}
        confirmLabel="Delete queue"
        busy={del.isPending}
        onCancel={() => setPending(null)}
        onConfirm={() => del.mutate({ vhost, name })}
      >
        <p>
          The queue, its bindings and its <strong>{total.toLocaleString()}</strong> message(s) will be lost; its consumers are cancelled.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={pending === 'move'}
        title={`Move messages from ${name}?`}
        confirmLabel="Move"
        busy={move.isPending}
        onCancel={() => setPending(null)}
        onConfirm={() => move.mutate({ vhost, name, to: moveTo, count: moveCountValue })}
      >
        <p>
          Move {moveLabel} message(s) from the head of <strong>{name}</strong> to the tail of <strong>{moveTo}</strong>, keeping their order and headers.
        </p>
      </ConfirmDialog>
    </div>
  );
}
