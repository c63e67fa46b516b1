'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../_components/error-note';
import { queueHref } from '../../_lib/links';
import { useTRPC } from '../../_lib/trpc';
import { LOOK_ONLY, useMe } from '../../_lib/use-me';
import { useMutate } from '../../_lib/use-mutate';
import { useUrlState } from '../../_lib/use-url-state';
import { JourneyStep } from './journey-step';

/** A search box (message id, correlation id, header name=value or broker id) and the journeys it finds, each a timeline; tracing of the whole vhost. */
export function JourneyView() {
  const trpc = useTRPC();
  const me = useMe();
  const [url, setUrl] = useUrlState({ vhost: '/', q: '' });
  const [typed, setTyped] = useState(url.q);
  const vhosts = useQuery(trpc.system.vhosts.queryOptions());
  const tracing = useQuery(trpc.journeys.tracing.queryOptions({ vhost: url.vhost }));
  const found = useQuery({ ...trpc.journeys.find.queryOptions({ vhost: url.vhost, text: url.q }), enabled: url.q.trim() !== '', refetchInterval: 2_000 });
  const setTracing = useMutate(trpc.journeys.setTracing.mutationOptions());
  const changes = me.canChange(url.vhost);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setUrl({ q: typed.trim() });
  };

  return (
    <>
      <ErrorNote errors={[vhosts.error, tracing.error, found.error, setTracing.error]} />
      <form onSubmit={search} role="search" aria-label="Find a journey" className="card actions">
        <label>
          Vhost
          <select value={url.vhost} onChange={(e) => setUrl({ vhost: e.target.value })}>
            {(vhosts.data ?? ['/']).map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          Message
          <input
            type="search"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="message id, correlation id, header name=value, or broker id"
            aria-describedby="journey-search-help"
          />
        </label>
        <button type="submit" className="primary" disabled={typed.trim() === ''}>
          Find journey
        </button>
        <span id="journey-search-help" className="muted">
          A header is given as <code>name=value</code>; a number is also read as Warren&apos;s broker id.
        </span>
      </form>

      {tracing.data && (
        <div className="card" aria-label="Tracing">
          <label>
            <input
              type="checkbox"
              checked={tracing.data.vhost}
              disabled={!changes || setTracing.isPending}
              title={changes ? undefined : LOOK_ONLY}
              onChange={(e) => setTracing.mutate({ vhost: url.vhost, on: e.target.checked })}
            />{' '}
            Trace every message of vhost {url.vhost}
          </label>
          <p className="muted">
            {tracing.data.queues.length === 0 ? (
              'No queue of this vhost is traced on its own.'
            ) : (
              <>
                Traced queues:{' '}
                {tracing.data.queues.map((q, i) => (
                  <span key={q}>
                    {i > 0 && ', '}
                    <Link href={queueHref(url.vhost, q)}>{q}</Link>
                  </span>
                ))}
              </>
            )}
          </p>
        </div>
      )}

      {url.q !== '' && found.data && (
        <section aria-label="Journeys">
          {!found.data.kept && <p className="error">This server keeps no trace log, so there are no journeys to show.</p>}
          {found.data.kept && found.data.journeys.length === 0 && (
            <p role="status">
              No journey of a message matching <code>{url.q}</code> in vhost {url.vhost}. Only messages published or queued while tracing was on have one, and
              the trace log keeps a bounded number of recent steps.
            </p>
          )}
          {found.data.journeys.map((journey) => (
            <article key={journey.rootId} className="card" aria-label={`Journey of message ${journey.rootId}`}>
              <h2>
                Message {journey.rootId}
                {journey.keys?.messageId ? <> · id {journey.keys.messageId}</> : null}
                {journey.keys?.correlationId ? <> · correlation id {journey.keys.correlationId}</> : null}
              </h2>
              <p className="muted">
                Found by {journey.matchedBy.join(', ')}; {journey.steps.length} step(s).
              </p>
              <ol className="journey" aria-label="Timeline">
                {journey.steps.map((step) => (
                  <JourneyStep key={step.seq} vhost={url.vhost} step={step} />
                ))}
              </ol>
            </article>
          ))}
        </section>
      )}
    </>
  );
}
