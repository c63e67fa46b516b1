/**
 * /metrics in rabbitmq_prometheus's names, aggregated over the node as its
 * default endpoint writes them (no per-queue or per-channel labels): the
 * node's resources and alarms, churn, queue and channel sums, the global
 * counters (label protocol="amqp091") and the message size histogram. Every
 * counter is one of the engine's process-lifetime counters (queues deleted
 * and connections closed keep what they counted), so none ever goes down.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import type { Registry } from 'prom-client';
import { openFileLimit } from '../../config';
import { family, histogramSamples, single, type Sample } from './family';
import { registerCommon } from './rabbitmq-common';
import type { ScrapeSource } from './scrape';

const AMQP = { protocol: 'amqp091' } as const;

/** Open file descriptors of this process (Linux), or undefined where /proc is missing. */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // less the one reading the directory
  } catch {
    return undefined;
  }
}

const optional = (value: number | undefined): Sample[] => (value === undefined ? [] : [{ value }]);

export function registerRabbitmqAggregated(registry: Registry, source: ScrapeSource): void {
  registerCommon(registry, source, 'aggregated');
  const s = () => source.scrape;
  const counters = () => source.scrape.broker.counters;
  const totals = () => source.scrape.totals;

  // ---- the node
  single(registry, 'rabbitmq_erlang_uptime_seconds', 'Node uptime', 'gauge', () => (Date.now() - s().services.startedAt) / 1000);
  single(registry, 'rabbitmq_process_resident_memory_bytes', 'Memory used in bytes', 'gauge', () => process.memoryUsage.rss());
  single(
    registry,
    'rabbitmq_resident_memory_limit_bytes',
    "Memory high watermark in bytes (the machine's memory when the alarm is off)",
    'gauge',
    () => s().services.memory()?.highWatermarkBytes ?? os.totalmem(),
  );
  family(registry, 'rabbitmq_process_open_fds', 'Open file descriptors', 'gauge', () => optional(openFds()));
  family(registry, 'rabbitmq_process_max_fds', 'Open file descriptors limit', 'gauge', () => optional(openFileLimit()));
  family(registry, 'rabbitmq_disk_space_available_bytes', 'Disk space available in bytes', 'gauge', () => optional(s().services.disk?.().freeBytes));
  family(registry, 'rabbitmq_disk_space_available_limit_bytes', 'Free disk space low watermark in bytes', 'gauge', () =>
    optional(s().services.disk?.().limitBytes),
  );
  const alarm = (source_: string) =>
    s()
      .services.alarms()
      .some((a) => a.source === source_)
      ? 1
      : 0;
  single(registry, 'rabbitmq_alarms_free_disk_space_watermark', 'is 1 if free disk space watermark alarm is in effect', 'gauge', () => alarm('disk'));
  single(registry, 'rabbitmq_alarms_memory_used_watermark', 'is 1 if VM memory watermark alarm is in effect', 'gauge', () => alarm('memory'));

  // ---- churn
  single(registry, 'rabbitmq_connections_opened_total', 'Total number of connections opened', 'counter', () => counters().connectionsOpened);
  single(registry, 'rabbitmq_connections_closed_total', 'Total number of connections closed or terminated', 'counter', () => counters().connectionsClosed);
  single(registry, 'rabbitmq_channels_opened_total', 'Total number of channels opened', 'counter', () => counters().channelsOpened);
  single(registry, 'rabbitmq_channels_closed_total', 'Total number of channels closed', 'counter', () => counters().channelsClosed);
  single(registry, 'rabbitmq_queues_declared_total', 'Total number of queues declared', 'counter', () => counters().queuesDeclared);
  single(registry, 'rabbitmq_queues_created_total', 'Total number of queues created', 'counter', () => counters().queuesCreated);
  single(registry, 'rabbitmq_queues_deleted_total', 'Total number of queues deleted', 'counter', () => counters().queuesDeleted);

  // ---- queues, summed
  single(registry, 'rabbitmq_queue_messages_ready', 'Messages ready to be delivered to consumers', 'gauge', () => totals().ready);
  single(registry, 'rabbitmq_queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', 'gauge', () => totals().unacked);
  single(registry, 'rabbitmq_queue_messages', 'Sum of ready and unacknowledged messages - total queue depth', 'gauge', () => totals().ready + totals().unacked);
  single(registry, 'rabbitmq_queue_messages_ready_bytes', 'Size in bytes of ready messages', 'gauge', () => totals().readyBytes);
  single(registry, 'rabbitmq_queue_consumers', 'Consumers on a queue', 'gauge', () => totals().consumers);

  // ---- channels and connections, summed over the life of the process
  const c = counters;
  single(registry, 'rabbitmq_channel_consumers', 'Consumers on a channel', 'gauge', () => totals().consumers);
  single(registry, 'rabbitmq_channel_messages_unacked', 'Delivered but not yet acknowledged messages', 'gauge', () => totals().unacked);
  single(
    registry,
    'rabbitmq_channel_messages_published_total',
    'Total number of messages published into an exchange on a channel',
    'counter',
    () => totals().published,
  );
  single(
    registry,
    'rabbitmq_channel_messages_confirmed_total',
    'Total number of messages published into an exchange and confirmed on the channel',
    'counter',
    () => c().confirmed,
  );
  single(
    registry,
    'rabbitmq_channel_messages_unroutable_returned_total',
    'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable',
    'counter',
    () => totals().returned,
  );
  single(
    registry,
    'rabbitmq_channel_messages_unroutable_dropped_total',
    'Total number of messages published as non-mandatory into an exchange and dropped as unroutable',
    'counter',
    () => totals().unroutable - totals().returned,
  );
  single(
    registry,
    'rabbitmq_channel_messages_delivered_total',
    'Total number of messages delivered to consumers in automatic acknowledgement mode',
    'counter',
    () => c().deliveredConsumeAutoAck,
  );
  single(
    registry,
    'rabbitmq_channel_messages_delivered_ack_total',
    'Total number of messages delivered to consumers in manual acknowledgement mode',
    'counter',
    () => c().deliveredConsumeManualAck,
  );
  single(
    registry,
    'rabbitmq_channel_get_total',
    'Total number of messages fetched with basic.get in automatic acknowledgement mode',
    'counter',
    () => c().deliveredGetAutoAck,
  );
  single(
    registry,
    'rabbitmq_channel_get_ack_total',
    'Total number of messages fetched with basic.get in manual acknowledgement mode',
    'counter',
    () => c().deliveredGetManualAck,
  );
  single(registry, 'rabbitmq_channel_get_empty_total', 'Total number of times basic.get operations fetched no message', 'counter', () => c().getEmpty);
  single(registry, 'rabbitmq_channel_messages_redelivered_total', 'Total number of messages redelivered to consumers', 'counter', () => c().redelivered);
  single(registry, 'rabbitmq_channel_messages_acked_total', 'Total number of messages acknowledged by consumers', 'counter', () => c().acknowledged);
  const traffic = () => {
    let received = c().closedConnectionBytesReceived;
    let sent = c().closedConnectionBytesSent;
    for (const connection of s().connections) {
      received += connection.bytesReceived;
      sent += connection.bytesSent;
    }
    return { received, sent };
  };
  single(registry, 'rabbitmq_connection_incoming_bytes_total', 'Total number of bytes received on a connection', 'counter', () => traffic().received);
  single(registry, 'rabbitmq_connection_outgoing_bytes_total', 'Total number of bytes sent on a connection', 'counter', () => traffic().sent);

  // ---- global counters (RabbitMQ 3.9+), one protocol
  const global = (name: string, help: string, read: () => number) =>
    family(registry, `rabbitmq_global_${name}`, help, 'counter', () => [{ value: read(), labels: AMQP }]);
  global('messages_received_total', 'Total number of messages received from publishers', () => totals().published);
  global('messages_received_confirm_total', 'Total number of messages received from publishers expecting confirmations', () => c().receivedConfirm);
  global('messages_routed_total', 'Total number of messages routed to queues or streams', () => totals().published - totals().unroutable);
  global(
    'messages_unroutable_dropped_total',
    'Total number of messages published as non-mandatory into an exchange and dropped as unroutable',
    () => totals().unroutable - totals().returned,
  );
  global(
    'messages_unroutable_returned_total',
    'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable',
    () => totals().returned,
  );
  global('messages_confirmed_total', 'Total number of messages confirmed to publishers', () => c().confirmed);
  const delivered = () => c().deliveredConsumeAutoAck + c().deliveredConsumeManualAck + c().deliveredGetAutoAck + c().deliveredGetManualAck;
  global('messages_delivered_total', 'Total number of messages delivered to consumers', delivered);
  global(
    'messages_delivered_consume_manual_ack_total',
    'Total number of messages delivered to consumers using basic.consume with manual acknowledgment',
    () => c().deliveredConsumeManualAck,
  );
  global(
    'messages_delivered_consume_auto_ack_total',
    'Total number of messages delivered to consumers using basic.consume with automatic acknowledgment',
    () => c().deliveredConsumeAutoAck,
  );
  global(
    'messages_delivered_get_manual_ack_total',
    'Total number of messages delivered to consumers using basic.get with manual acknowledgment',
    () => c().deliveredGetManualAck,
  );
  global(
    'messages_delivered_get_auto_ack_total',
    'Total number of messages delivered to consumers using basic.get with automatic acknowledgment',
    () => c().deliveredGetAutoAck,
  );
  global('messages_get_empty_total', 'Total number of times basic.get operations fetched no message', () => c().getEmpty);
  global('messages_redelivered_total', 'Total number of messages redelivered to consumers', () => c().redelivered);
  global('messages_acknowledged_total', 'Total number of messages acknowledged by consumers', () => c().acknowledged);
  family(registry, 'rabbitmq_global_publishers', 'Current number of publishers', 'gauge', () => [{ value: c().publishers, labels: AMQP }]);
  family(registry, 'rabbitmq_global_consumers', 'Current number of consumers', 'gauge', () => [{ value: totals().consumers, labels: AMQP }]);
  family(registry, 'rabbitmq_message_size_bytes', 'Size of messages received from publishers', 'histogram', () =>
    histogramSamples('rabbitmq_message_size_bytes', c().messageSizes, AMQP),
  );
}
