/**
 * /metrics/per-object in rabbitmq_prometheus's names and labels: one series
 * per queue ({vhost, queue}), per channel and per connection ({channel}, as
 * RabbitMQ labels both), beside the object totals. Built for thousands of
 * queues: one pass over the broker's queue figures per family, the queues'
 * live counters read in place, and one labels object per queue kept for the
 * queue's life (so prom-client formats its labels once).
 */
import type { Registry } from 'prom-client';
import type { QueueCounters, QueueFigures } from '../../broker/types';
import { family, type Labels, type Sample } from './family';
import { registerCommon } from './rabbitmq-common';
import type { ScrapeSource } from './scrape';

/** RabbitMQ's queue type names (rabbitmq_queue_info's queue_type). */
const QUEUE_TYPES = { classic: 'rabbit_classic_queue', quorum: 'rabbit_quorum_queue', stream: 'rabbit_stream_queue' } as const;

/** One labels object per queue, keyed by its counters (the engine's own object, as long-lived as the queue). */
const queueLabelsCache = new WeakMap<Readonly<QueueCounters>, Labels>();

function queueLabels(q: QueueFigures): Labels {
  let labels = queueLabelsCache.get(q.counters);
  if (labels === undefined) {
    labels = { vhost: q.vhost, queue: q.name };
    queueLabelsCache.set(q.counters, labels);
  }
  return labels;
}

export function registerRabbitmqPerObject(registry: Registry, source: ScrapeSource): void {
  registerCommon(registry, source, 'per-object');

  const perQueue = (name: string, help: string, type: 'gauge' | 'counter', value: (q: QueueFigures) => number) =>
    family(registry, name, help, type, () => {
      const queues = source.scrape.queues;
      const samples = new Array<Sample>(queues.length);
      for (let i = 0; i < queues.length; i++) samples[i] = { value: value(queues[i]!), sharedLabels: queueLabels(queues[i]!) };
      return samples;
    });
  perQueue('rabbitmq_queue_messages_ready', 'Messages ready to be delivered to consumers', 'gauge', (q) => q.ready);
  perQueue('rabbitmq_queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', 'gauge', (q) => q.unacked);
  perQueue('rabbitmq_queue_messages', 'Sum of ready and unacknowledged messages - total queue depth', 'gauge', (q) => q.ready + q.unacked);
  perQueue('rabbitmq_queue_messages_ready_bytes', 'Size in bytes of ready messages', 'gauge', (q) => q.readyBytes);
  perQueue('rabbitmq_queue_consumers', 'Consumers on a queue', 'gauge', (q) => q.consumers);
  perQueue('rabbitmq_queue_messages_published_total', 'Total number of messages published to queues', 'counter', (q) => q.counters.published);
  perQueue(
    'rabbitmq_queue_messages_redelivered_total',
    'Total number of messages redelivered from a queue to consumers',
    'counter',
    (q) => q.counters.redelivered,
  );
  perQueue('rabbitmq_queue_messages_acked_total', 'Total number of messages acknowledged by consumers on a queue', 'counter', (q) => q.counters.acked);
  family(registry, 'rabbitmq_queue_info', "A metric with a constant '1' value and labels that provide some queue details", 'gauge', () =>
    source.scrape.queues.map((q) => ({ value: 1, labels: { queue_type: QUEUE_TYPES[q.type], membership: 'leader' }, sharedLabels: queueLabels(q) })),
  );

  // Channels and connections: far fewer than queues; labelled as RabbitMQ does, `channel` for both.
  const channels = () => source.scrape.once(channels, listChannels);
  const listChannels = () => {
    const out: { labels: Labels; consumers: number; unacked: number; published: number }[] = [];
    const { broker } = source.scrape;
    for (const summary of source.scrape.connections) {
      const connection = broker.getConnection(summary.id);
      if (connection === undefined) continue;
      for (const channel of connection.channels.values()) {
        out.push({
          labels: { channel: `${summary.id} (${channel.number})` },
          consumers: channel.consumers.size,
          unacked: channel.unackedCount,
          published: channel.published,
        });
      }
    }
    return out;
  };
  family(registry, 'rabbitmq_channel_consumers', 'Consumers on a channel', 'gauge', () => channels().map((c) => ({ value: c.consumers, labels: c.labels })));
  family(registry, 'rabbitmq_channel_messages_unacked', 'Delivered but not yet acknowledged messages', 'gauge', () =>
    channels().map((c) => ({ value: c.unacked, labels: c.labels })),
  );
  family(registry, 'rabbitmq_channel_messages_published_total', 'Total number of messages published into an exchange on a channel', 'counter', () =>
    channels().map((c) => ({ value: c.published, labels: c.labels })),
  );
  const perConnection = (name: string, help: string, type: 'gauge' | 'counter', value: (c: (typeof source.scrape.connections)[number]) => number) =>
    family(registry, name, help, type, () => source.scrape.connections.map((c) => ({ value: value(c), labels: { channel: c.id } })));
  perConnection('rabbitmq_connection_incoming_bytes_total', 'Total number of bytes received on a connection', 'counter', (c) => c.bytesReceived);
  perConnection('rabbitmq_connection_outgoing_bytes_total', 'Total number of bytes sent on a connection', 'counter', (c) => c.bytesSent);
  perConnection('rabbitmq_connection_channels', 'Channels on a connection', 'gauge', (c) => c.channels);
}
