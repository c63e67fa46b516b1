'use client';

import Link from 'next/link';
import { useLive } from '../../_lib/use-live';
import { useEffect, useState } from 'react';
import { useTRPC } from '../../_lib/trpc';
import { formatClock, formatDuration } from '../../_lib/format';
import { TierBrowser } from './tier-browser';
import { queueHref } from '../../_lib/links';

/** Samples of every tier's count, kept client-side for a few seconds to show how fast each tier changes. */
interface CountSample {
  at: number;
  counts: Map<string, number>;
}
const RATE_WINDOW_MS = 5_000;

const rate = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
const tierKey = (vhost: string, queue: string, index: number) => `${vhost}\n${queue}\n${index}`;

function dueText(at: number | null, now: number): string {
  if (at === null) return '—';
  const ms = at - now;
  return ms <= 0 ? `due now (${formatClock(at)})` : `in ${formatDuration(ms + 999)} (${formatClock(at)})`;
}

/** Every queue with retry tiers as a pipeline: queue → tier 1 … tier n → dead-letter queue, live. */
export function RetryPipelines() {
  const trpc = useTRPC();
  const pipelines = useLive(trpc.retries.pipelines.queryOptions({}));
  const [samples, setSamples] = useState<CountSample[]>([]);
  const [open, setOpen] = useState<{ vhost: string; queue: string; tier: number; label: string } | null>(null);

  useEffect(() => {
    if (!pipelines.data) return;
    const at = pipelines.dataUpdatedAt;
    const counts = new Map<string, number>();
    for (const p of pipelines.data) for (const t of p.tiers) counts.set(tierKey(p.vhost, p.queue, t.index), t.count);
    setSamples((prev) => [...prev.filter((s) => s.at > at - RATE_WINDOW_MS && s.at < at), { at, counts }]);
  }, [pipelines.data, pipelines.dataUpdatedAt]);

  /** Change of a tier's count per second over the last few seconds: positive while it fills, negative while it drains. */
  const change = (key: string): number | null => {
    const first = samples[0];
    const last = samples.at(-1);
    if (!first || !last || first === last || !first.counts.has(key)) return null;
    return ((last.counts.get(key) ?? 0) - (first.counts.get(key) ?? 0)) / ((last.at - first.at) / 1000);
  };

  if (pipelines.isPending) return <p role="status">Loading retry tiers…</p>;
  if (pipelines.isError)
    return (
      <p role="alert" className="error">
        {pipelines.error.message}
      </p>
    );
  if (pipelines.data.length === 0)
    return (
      <div className="empty" role="status">
        No queue has retry tiers. Declare a queue with <code>x-retry-tiers</code> (e.g. <code>[&quot;5s&quot;, &quot;30s&quot;, &quot;5m&quot;]</code>), set{' '}
        <code>retry-tiers</code> on it with a <Link href="/policies">policy</Link>, or build a chain of TTL queues that dead-letter back to it.
      </div>
    );
  const now = Date.now();
  return (
    <>
      {pipelines.data.map((p) => (
        <section key={`${p.vhost}\n${p.queue}`} className="card" aria-label={`Retry pipeline of ${p.queue}`}>
          <h2>
            <Link href={queueHref(p.vhost, p.queue)}>{p.queue}</Link>{' '}
            <span className="muted">
              vhost {p.vhost} · {p.source === 'x-retry-tiers' ? 'x-retry-tiers' : p.source === 'policy' ? `tiers set by policy ${p.policy}` : 'TTL chain'}
            </span>
          </h2>
          <ol className="pipeline">
            <li className="stage" aria-label={`Queue ${p.queue}`}>
              <strong>Queue</strong>
              {p.work ? (
                <dl>
                  <dt>Ready</dt>
                  <dd data-field="ready">{p.work.ready.toLocaleString()}</dd>
                  <dt>Unacked</dt>
                  <dd>{p.work.unacked.toLocaleString()}</dd>
                  <dt>In / deliver</dt>
                  <dd>
                    {rate(p.work.rates.incoming)} / {rate(p.work.rates.deliver)} msg/s
                  </dd>
                  <dt>Consumers</dt>
                  <dd>{p.work.consumers}</dd>
                </dl>
              ) : (
                <p className="muted">not declared</p>
              )}
            </li>
            {p.tiers.map((t) => {
              const delta = change(tierKey(p.vhost, p.queue, t.index));
              return (
                <li key={t.index} className="stage" aria-label={`Tier ${t.index + 1} of ${p.queue}`}>
                  <strong>
                    Tier {t.index + 1} · {t.label}
                  </strong>
                  <dl>
                    <dt>Held</dt>
                    <dd data-field="count">{t.count.toLocaleString()}</dd>
                    <dt>Change</dt>
                    <dd>{delta === null ? '—' : `${delta > 0 ? '+' : ''}${rate(delta)} msg/s`}</dd>
                    <dt>Next due</dt>
                    <dd data-field="next-due">{dueText(t.nextDueAt, now)}</dd>
                    <dt>Oldest since</dt>
                    <dd>{t.oldestAt === null ? '—' : formatClock(t.oldestAt)}</dd>
                  </dl>
                  <button type="button" onClick={() => setOpen({ vhost: p.vhost, queue: p.queue, tier: t.index, label: t.label })}>
                    Browse tier {t.index + 1}
                  </button>
                </li>
              );
            })}
            {p.deadLetters.length === 0 && (
              <li className="stage stage-dead" aria-label={`Dead letters of ${p.queue}`}>
                <strong>Dead letters</strong>
                <p className="muted">
                  {p.source === 'ttl-chain'
                    ? 'A TTL chain sends failures round again; its consumer decides when to give up.'
                    : 'No queue receives them: messages failing the last tier are dropped.'}
                </p>
              </li>
            )}
            {p.deadLetters.map((d) => (
              <li key={d.name} className="stage stage-dead" aria-label={`Dead letters of ${p.queue}`}>
                <strong>
                  <Link href={`/dead-letters?vhost=${encodeURIComponent(p.vhost)}&queue=${encodeURIComponent(d.name)}`}>{d.name}</Link>
                </strong>
                <dl>
                  <dt>Ready</dt>
                  <dd data-field="ready">{d.ready.toLocaleString()}</dd>
                  <dt>In</dt>
                  <dd>{d.rates ? `${rate(d.rates.incoming)} msg/s` : 'not declared'}</dd>
                </dl>
              </li>
            ))}
          </ol>
        </section>
      ))}
      {open && <TierBrowser key={`${open.queue}/${open.tier}`} {...open} onClose={() => setOpen(null)} />}
    </>
  );
}
