'use client';

import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../../_components/error-note';
import { MessageViewer } from '../../../_components/message-viewer';
import { useTRPC } from '../../../_lib/trpc';

const PAGE = 20;
type From = { kind: 'first' } | { kind: 'last' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; at: number };

/** Reads a stream page by page from an offset or a time, without consuming: streams keep their messages. */
export function StreamBrowser({ vhost, stream }: { vhost: string; stream: string }) {
  const trpc = useTRPC();
  const [kind, setKind] = useState<From['kind']>('first');
  const [offset, setOffset] = useState('0');
  const [at, setAt] = useState('');
  const [from, setFrom] = useState<From | null>(null);
  const page = useQuery({ ...trpc.streams.read.queryOptions({ vhost, name: stream, from: from ?? { kind: 'first' }, limit: PAGE }), enabled: from !== null });

  const read = (e: FormEvent) => {
    e.preventDefault();
    setFrom(kind === 'offset' ? { kind, offset: Number(offset) } : kind === 'timestamp' ? { kind, at: new Date(at).getTime() } : { kind });
  };
  const data = from ? page.data : undefined;
  return (
    <section className="card" aria-labelledby="browser-title">
      <h2 id="browser-title">Messages</h2>
      <form className="actions" onSubmit={read} aria-label="Read the stream">
        <label>
          From
          <select value={kind} onChange={(e) => setKind(e.target.value as From['kind'])}>
            <option value="first">first</option>
            <option value="last">last</option>
            <option value="offset">offset</option>
            <option value="timestamp">time</option>
          </select>
        </label>
        {kind === 'offset' && (
          <label>
            Offset
            <input inputMode="numeric" pattern="\d+" value={offset} onChange={(e) => setOffset(e.target.value)} style={{ width: 100 }} />
          </label>
        )}
        {kind === 'timestamp' && (
          <label>
            Time
            <input type="datetime-local" step={1} required value={at} onChange={(e) => setAt(e.target.value)} />
          </label>
        )}
        <button type="submit" className="primary">
          Read
        </button>
        {data && (
          <>
            <button type="button" disabled={data.previousOffset === null} onClick={() => data.previousOffset !== null && setFrom({ kind: 'offset', offset: data.previousOffset })}>
              Previous page
            </button>
            <button type="button" disabled={data.messages.length === 0} onClick={() => setFrom({ kind: 'offset', offset: data.nextOffset })}>
              Next page
            </button>
            <span className="muted" role="status">
              {data.messages.length === 0
                ? `Nothing from there yet (retained offsets ${data.firstOffset}–${data.tailOffset - 1}).`
                : `Offsets ${data.messages[0].offset}–${data.messages[data.messages.length - 1].offset} of ${data.firstOffset}–${data.tailOffset - 1}`}
            </span>
          </>
        )}
      </form>
      <ErrorNote errors={[from ? page.error : null]} />
      {data?.messages.map((m) => (
        <MessageViewer key={m.offset} message={m} title={`Offset ${m.offset} · ${new Date(m.timestamp).toLocaleString([], { hour12: false })}`} />
      ))}
    </section>
  );
}
