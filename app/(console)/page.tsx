'use client';

import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../_lib/trpc';
import { useMe } from '../_lib/use-me';
import { formatBytes, formatDuration } from '../_lib/format';
import { EventLoopChart } from '../_components/event-loop-chart';
import { MemoryChart } from '../_components/memory-chart';
import { RatesCharts } from '../_components/rates-chart';
import { UpdatedAgo } from '../_components/updated-ago';
import { NeedsAttention } from './needs-attention';
import { AlertBanner } from '../_components/alert-banner';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export default function OverviewPage() {
  const trpc = useTRPC();
  const { me, seesAll } = useMe();
  // Pushed once a second over SSE; the stream reconnects by itself when the broker comes back.
  const live = useSubscription(trpc.system.overview.subscriptionOptions());
  const info = live.data?.info;
  const totals = live.data?.totals;
  // When the last push came, by this browser's clock.
  const [receivedAt, setReceivedAt] = useState(0);
  useEffect(() => {
    if (live.data) setReceivedAt(Date.now());
  }, [live.data]);

  return (
    <section>
      <h1>Overview</h1>
      <NeedsAttention />
      <AlertBanner />
      {!live.data && <p role="status">Loading broker details…</p>}
      {info && info.alarms.length > 0 && (
        <div role="alert" className="alarm">
          <strong>Publishers are blocked:</strong> {info.alarms.map((a) => `${a.source} alarm (${a.reason})`).join('; ')}. Consumers keep running; publishing
          resumes when the alarm clears.
        </div>
      )}
      {info?.journalDamage && (
        <div role="alert" className="alarm" aria-label="Journal damage">
          <strong>Journal damage found at start:</strong> {info.journalDamage.summary.join('; ')}. Every intact record was recovered; check the disk that holds
          the data directory.
        </div>
      )}
      {info && (
        <dl className="figures" aria-label="Broker">
          <Figure label="Version" value={`${info.product} ${info.version}`} />
          <Figure label="Node" value={info.nodeName} />
          <Figure label="Uptime" value={formatDuration(info.uptimeMs)} />
          <Figure label="Node.js" value={info.nodeVersion} />
          <Figure label="Memory (resident)" value={formatBytes(info.memory.rssBytes)} />
          {info.eventLoopDelayP99Ms !== null && <Figure label="Event-loop delay (p99, last second)" value={`${info.eventLoopDelayP99Ms.toFixed(1)} ms`} />}
          {info.memoryAlarm && (
            <>
              <Figure
                label="Memory in use / high-water mark"
                value={`${formatBytes(info.memoryAlarm.usedBytes)} / ${formatBytes(info.memoryAlarm.highWatermarkBytes)}`}
              />
              <Figure
                label="JavaScript heap / limit"
                value={`${formatBytes(info.memoryAlarm.heapUsedBytes)} / ${formatBytes(info.memoryAlarm.heapLimitBytes)}`}
              />
            </>
          )}
          <Figure label="AMQP" value={info.listeners.amqp} />
          <Figure label="Metadata database" value={info.database} />
          <Figure label="Alarms" value={info.alarms.length === 0 ? 'none' : info.alarms.map((a) => a.source).join(', ')} />
        </dl>
      )}
      {totals && (
        <dl className="figures" aria-label="Totals">
          <Figure label="Connections" value={String(totals.connections)} />
          <Figure label="Channels" value={String(totals.channels)} />
          <Figure label="Consumers" value={String(totals.consumers)} />
          <Figure label="Exchanges" value={String(totals.exchanges)} />
          <Figure label="Queues" value={String(totals.queues)} />
          <Figure label="Messages ready" value={totals.ready.toLocaleString()} />
          <Figure label="Messages unacked" value={totals.unacked.toLocaleString()} />
        </dl>
      )}
      {totals && (
        <p className="muted">
          Broker figures <UpdatedAgo at={receivedAt} />
        </p>
      )}
      {seesAll ? (
        <>
          <RatesCharts />
          <MemoryChart />
          <EventLoopChart />
        </>
      ) : (
        me && (
          <p className="muted">
            Totals above count vhosts {me.vhosts.join(', ') || '(none)'} only. Broker-wide charts are for users tagged monitoring or administrator.
          </p>
        )
      )}
    </section>
  );
}
