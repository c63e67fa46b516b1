'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../_lib/trpc';
import { useMe } from '../_lib/use-me';
import { formatBytes, formatDuration } from '../_lib/format';
import { MemoryChart } from '../_components/memory-chart';
import { RatesCharts } from '../_components/rates-chart';

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
  const info = useQuery({ ...trpc.system.info.queryOptions(), refetchInterval: 1_000 });
  const totals = useQuery({ ...trpc.system.totals.queryOptions(), refetchInterval: 1_000 });

  return (
    <section>
      <h1>Overview</h1>
      {info.isPending && <p role="status">Loading broker details…</p>}
      {info.isError && (
        <p role="alert" className="error">
          Cannot reach the broker: {info.error.message}. The page retries every second.
        </p>
      )}
      {info.data && info.data.alarms.length > 0 && (
        <div role="alert" className="alarm">
          <strong>Publishers are blocked:</strong> {info.data.alarms.map((a) => `${a.source} alarm (${a.reason})`).join('; ')}. Consumers keep
          running; publishing resumes when the alarm clears.
        </div>
      )}
      {info.data?.journalDamage && (
        <div role="alert" className="alarm" aria-label="Journal damage">
          <strong>Journal damage found at start:</strong> {info.data.journalDamage.summary.join('; ')}. Every intact record was
          recovered; check the disk that holds the data directory.
        </div>
      )}
      {info.data && (
        <dl className="figures" aria-label="Broker">
          <Figure label="Version" value={`${info.data.product} ${info.data.version}`} />
          <Figure label="Node" value={info.data.nodeName} />
          <Figure label="Uptime" value={formatDuration(info.data.uptimeMs)} />
          <Figure label="Node.js" value={info.data.nodeVersion} />
          <Figure label="Memory (resident)" value={formatBytes(info.data.memory.rssBytes)} />
          {info.data.eventLoopDelayP99Ms !== null && (
            <Figure label="Event-loop delay (p99, last second)" value={`${info.data.eventLoopDelayP99Ms.toFixed(1)} ms`} />
          )}
          {info.data.memoryAlarm && (
            <>
              <Figure
                label="Memory in use / high-water mark"
                value={`${formatBytes(info.data.memoryAlarm.usedBytes)} / ${formatBytes(info.data.memoryAlarm.highWatermarkBytes)}`}
              />
              <Figure
                label="JavaScript heap / limit"
                value={`${formatBytes(info.data.memoryAlarm.heapUsedBytes)} / ${formatBytes(info.data.memoryAlarm.heapLimitBytes)}`}
              />
            </>
          )}
          <Figure label="AMQP" value={info.data.listeners.amqp} />
          <Figure label="Metadata database" value={info.data.database} />
          <Figure label="Alarms" value={info.data.alarms.length === 0 ? 'none' : info.data.alarms.map((a) => a.source).join(', ')} />
        </dl>
      )}
      {totals.data && (
        <dl className="figures" aria-label="Totals">
          <Figure label="Connections" value={String(totals.data.connections)} />
          <Figure label="Channels" value={String(totals.data.channels)} />
          <Figure label="Consumers" value={String(totals.data.consumers)} />
          <Figure label="Exchanges" value={String(totals.data.exchanges)} />
          <Figure label="Queues" value={String(totals.data.queues)} />
          <Figure label="Messages ready" value={totals.data.ready.toLocaleString()} />
          <Figure label="Messages unacked" value={totals.data.unacked.toLocaleString()} />
        </dl>
      )}
      {seesAll ? (
        <>
          <RatesCharts />
          <MemoryChart />
        </>
      ) : (
        me && <p className="muted">Totals above count vhosts {me.vhosts.join(', ') || '(none)'} only. Broker-wide charts are for users tagged monitoring or administrator.</p>
      )}
    </section>
  );
}
