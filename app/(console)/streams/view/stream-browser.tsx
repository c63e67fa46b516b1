'use client';

import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../../_components/error-note';
import { MessageViewer } from '../../../_components/message-viewer';
import { useTRPC } from '../../../_lib/trpc';
import { FIRST_POSITION, PositionFields, positionOf, type PositionDraft, type StreamPosition } from './position-fields';

const PAGE = 20;

/** Reads a stream page by page from an offset or a time, without consuming: streams keep their messages. */
export function StreamBrowser({ vhost, stream }: { vhost: string; stream: string }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<PositionDraft>(FIRST_POSITION);
  const [from, setFrom] = useState<StreamPosition | null>(null);
  const page = useQuery({ ...trpc.streams.read.queryOptions({ vhost, name: stream, from: from ?? { kind: 'first' }, limit: PAGE }), enabled: from !== null });

  const read = (e: FormEvent) => {
    e.preventDefault();
    setFrom(positionOf(draft));
  };
  const data = from ? page.data : undefined;
  return (
    <section className="card" aria-labelledby="browser-title">
      <h2 id="browser-title">Messages</h2>
      <form className="actions" onSubmit={read} aria-label="Read the stream">
        <PositionFields label="From" draft={draft} onChange={setDraft} />
        <button type="submit" className="primary">
          Read
        </button>
        {data && (
          <>
            <button
              type="button"
              disabled={data.previousOffset === null}
              onClick={() => data.previousOffset !== null && setFrom({ kind: 'offset', offset: data.previousOffset })}
            >
              Previous page
            </button>
            <button type="button" disabled={data.messages.length === 0} onClick={() => setFrom({ kind: 'offset', offset: data.nextOffset })}>
              Next page
            </button>
            <span className="muted" role="status">
              {data.messages.length === 0
                ? `Nothing from there yet (retained offsets ${data.firstOffset}–${data.tailOffset - 1}).`
                : `Offsets ${data.messages[0]!.offset}–${data.messages[data.messages.length - 1]!.offset} of ${data.firstOffset}–${data.tailOffset - 1}`}
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
