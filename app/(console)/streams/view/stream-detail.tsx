'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { isNotFound, useLive } from '../../../_lib/use-live';
import { MissingObject } from '../../../_components/missing-object';
import { UpdatedAgo } from '../../../_components/updated-ago';
import { streamHref } from '../../../_lib/links';
import type { ReactNode } from 'react';
import { DateTime } from '../../../_components/date-time';
import { ErrorNote } from '../../../_components/error-note';
import { formatBytes } from '../../../_lib/format';
import { useTRPC } from '../../../_lib/trpc';
import { AlertBanner } from '../../../_components/alert-banner';
import { GroupLag } from './group-lag';
import { StreamBrowser } from './stream-browser';

/** One stream: its figures, its consumer groups with live lag, and a message browser. */
export function StreamDetail() {
  const params = useSearchParams();
  const vhost = params.get('vhost') ?? '/';
  const name = params.get('name') ?? '';
  const trpc = useTRPC();
  const stream = useLive({ ...trpc.streams.get.queryOptions({ vhost, name }), enabled: name !== '' });

  if (name === '')
    return (
      <p className="error">
        No stream named in the address. Open one from the <Link href="/streams">stream list</Link>.
      </p>
    );
  const s = stream.data;
  return (
    <section>
      <p className="muted">
        <Link href="/streams">Streams</Link> / vhost {vhost}
      </p>
      <h1>Stream {name}</h1>
      <AlertBanner vhost={vhost} name={name} kind="stream" />
      {stream.isPending && <p role="status">Loading stream…</p>}
      {isNotFound(stream.error) ? (
        <MissingObject kind="stream" vhost={vhost} name={name} href={(n) => streamHref(vhost, n)} />
      ) : (
        <ErrorNote errors={[stream.error]} />
      )}
      {s && (
        <>
          <dl className="figures" aria-label="Stream figures">
            {(
              [
                ['Messages', s.messages.toLocaleString()],
                ['Size', formatBytes(s.bytes)],
                ['Segments', String(s.segments)],
                ['First offset', s.firstOffset === null ? '—' : String(s.firstOffset)],
                ['Last offset', s.lastOffset === null ? '—' : String(s.lastOffset)],
                ['First time', <DateTime key="first" ms={s.firstTimestamp} />],
                ['Last time', <DateTime key="last" ms={s.lastTimestamp} />],
                ['Consumers', String(s.consumers)],
              ] as [string, ReactNode][]
            ).map(([label, value]) => (
              <div className="figure" key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <section className="card" aria-labelledby="groups-title">
            <h2 id="groups-title">
              Consumer groups <UpdatedAgo at={stream.dataUpdatedAt} />
            </h2>
            <GroupLag vhost={vhost} stream={name} groups={s.groupList} sampledAt={stream.dataUpdatedAt} />
          </section>
          <StreamBrowser vhost={vhost} stream={name} />
        </>
      )}
    </section>
  );
}
