/**
 * Warren's own families on /metrics, under warren_: the broker's totals as
 * before (counters that only grow), process faults, journal damage found at
 * start and fdatasync latency, event-loop delay, and what RabbitMQ has no
 * name for: retry tier sizes, dead-letter queue sizes and stream consumer
 * group lag.
 */
import type { Registry } from 'prom-client';
import type { BrokerTotals } from '../../broker/types';
import { deadLetterQueues } from '../../api/dead-letter-queues';
import { family, histogramSamples, single, type Sample } from './family';
import type { ScrapeSource } from './scrape';

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const TOTAL_GAUGES: [keyof BrokerTotals, string][] = [
  ['connections', 'Open AMQP connections.'],
  ['channels', 'Open AMQP channels.'],
  ['consumers', 'Consumers across all queues.'],
  ['exchanges', 'Exchanges across all vhosts.'],
  ['queues', 'Queues across all vhosts.'],
  ['ready', 'Messages ready for delivery.'],
  ['unacked', 'Messages delivered and not yet acknowledged.'],
];

const TOTAL_COUNTERS: [keyof BrokerTotals, string][] = [
  ['published', 'Messages published into queues.'],
  ['delivered', 'Messages delivered to consumers or fetched with basic.get.'],
  ['redelivered', 'Messages delivered again after a requeue.'],
  ['acked', 'Messages acknowledged by consumers.'],
  ['rejected', 'Messages rejected or nacked by consumers.'],
  ['deadLettered', 'Messages dead-lettered.'],
  ['expired', 'Messages that expired in a queue.'],
  ['returned', 'Unroutable mandatory messages returned to publishers.'],
  ['unroutable', 'Messages that reached no queue.'],
  ['overDeliveryLimit', 'Messages dead-lettered for passing their x-delivery-limit (kept in <queue>.dlq when no dead-letter exchange is set).'],
];

export function registerWarren(registry: Registry, source: ScrapeSource): void {
  const s = () => source.scrape;
  const services = () => source.scrape.services;

  single(registry, 'warren_uptime_seconds', 'Seconds since this broker process started.', 'gauge', () => (Date.now() - services().startedAt) / 1000);
  single(registry, 'warren_process_resident_memory_bytes', 'Resident set size of the broker process.', 'gauge', () => process.memoryUsage.rss());
  single(registry, 'warren_process_heap_used_bytes', 'V8 heap in use.', 'gauge', () => process.memoryUsage().heapUsed);
  for (const [key, help] of TOTAL_GAUGES) single(registry, `warren_${snake(key)}`, help, 'gauge', () => s().totals[key]);
  for (const [key, help] of TOTAL_COUNTERS)
    single(registry, `warren_messages_${snake(key)}_total`, `${help} Since the process started.`, 'counter', () => s().totals[key]);
  single(
    registry,
    'warren_unhandled_rejections_total',
    'Promise rejections nothing handled (logged; the broker carried on).',
    'counter',
    () => services().processFaults.unhandledRejections,
  );
  single(
    registry,
    'warren_engine_faults_total',
    'Faults the engine contained (a timer or a dead-lettering that threw), each logged.',
    'counter',
    () => s().totals.faults,
  );

  const damage = () => services().journalDamage;
  single(
    registry,
    'warren_journal_damaged_bytes',
    'Damaged journal bytes the recovery at start skipped (torn tails of a crash excluded).',
    'gauge',
    () => damage()?.bytes ?? 0,
  );
  single(
    registry,
    'warren_journal_damaged_records',
    'Damaged journal records the recovery at start skipped, where their number was known.',
    'gauge',
    () => damage()?.records ?? 0,
  );
  single(
    registry,
    'warren_journal_lost_messages',
    'Queued messages the recovery at start could not bring back because of damaged journal bytes.',
    'gauge',
    () => damage()?.lostMessages ?? 0,
  );
  family(registry, 'warren_journal_fsync_duration_seconds', "How long each journal commit's fdatasync took.", 'histogram', () => {
    const latency = services().journalSyncLatency;
    return latency === undefined ? [] : histogramSamples('warren_journal_fsync_duration_seconds', latency);
  });

  const loop = () => services().sampler.history.latest()?.value;
  single(
    registry,
    'warren_event_loop_delay_p50_seconds',
    'Median event-loop delay over the last second (perf_hooks.monitorEventLoopDelay).',
    'gauge',
    () => (loop()?.eventLoopDelayP50Ms ?? 0) / 1000,
  );
  single(
    registry,
    'warren_event_loop_delay_p99_seconds',
    '99th percentile of the event-loop delay over the last second (perf_hooks.monitorEventLoopDelay).',
    'gauge',
    () => (loop()?.eventLoopDelayP99Ms ?? 0) / 1000,
  );
  single(
    registry,
    'warren_event_loop_delay_max_seconds',
    'Longest event-loop delay in the last second.',
    'gauge',
    () => (loop()?.eventLoopDelayMs ?? 0) / 1000,
  );

  const tiers = () => s().once(tiers, () => s().broker.retries.list());
  const tierSamples = (value: (t: { count: number; bytes: number }) => number): Sample[] =>
    tiers().flatMap((q) => q.tiers.map((t) => ({ value: value(t), labels: { vhost: q.vhost, queue: q.queue, tier: String(t.index), delay: t.label } })));
  family(registry, 'warren_retry_tier_messages', 'Messages waiting in a retry tier of a queue.', 'gauge', () => tierSamples((t) => t.count));
  family(registry, 'warren_retry_tier_bytes', 'Body bytes waiting in a retry tier of a queue.', 'gauge', () => tierSamples((t) => t.bytes));
  family(
    registry,
    'warren_dead_letter_queue_messages',
    'Messages ready in a dead-letter queue (<queue>.dlq, or the target of a dead-letter exchange).',
    'gauge',
    () => deadLetterQueues(s().broker, s().broker.listQueues()).map((q) => ({ value: q.ready, labels: { vhost: q.vhost, queue: q.name } })),
  );

  const groups = () =>
    s().once(groups, () =>
      s()
        .broker.streams.list()
        .flatMap((stream) =>
          s()
            .broker.streams.groups(stream.vhost, stream.name)
            .map((g) => ({ labels: { vhost: stream.vhost, stream: stream.name, group: g.name }, lag: g.lag })),
        ),
    );
  family(registry, 'warren_stream_group_lag_messages', 'Records of a stream its consumer group has not acknowledged yet.', 'gauge', () =>
    groups().map((g) => ({ value: g.lag.messages, labels: g.labels })),
  );
  family(registry, 'warren_stream_group_lag_seconds', "Age of the oldest record a stream's consumer group has not acknowledged yet.", 'gauge', () =>
    groups().map((g) => ({ value: g.lag.ms / 1000, labels: g.labels })),
  );
}
