/** `/metrics`: the process's and the broker's totals in Prometheus text format. */
import type { Services } from '../services';

function line(name: string, help: string, type: 'gauge' | 'counter', value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
}

export function renderMetrics(services: Services): string {
  const m = process.memoryUsage();
  let out = '';
  out += line('warren_uptime_seconds', 'Seconds since this broker process started.', 'gauge', (Date.now() - services.startedAt) / 1000);
  out += line('warren_process_resident_memory_bytes', 'Resident set size of the broker process.', 'gauge', m.rss);
  out += line('warren_process_heap_used_bytes', 'V8 heap in use.', 'gauge', m.heapUsed);
  const t = services.broker.totals();
  const gauges: [keyof typeof t, string][] = [
    ['connections', 'Open AMQP connections.'],
    ['channels', 'Open AMQP channels.'],
    ['consumers', 'Consumers across all queues.'],
    ['exchanges', 'Exchanges across all vhosts.'],
    ['queues', 'Queues across all vhosts.'],
    ['ready', 'Messages ready for delivery.'],
    ['unacked', 'Messages delivered and not yet acknowledged.'],
  ];
  const counters: [keyof typeof t, string][] = [
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
  const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  for (const [key, help] of gauges) out += line(`warren_${snake(key)}`, help, 'gauge', t[key]);
  for (const [key, help] of counters) out += line(`warren_messages_${snake(key)}_total`, help, 'counter', t[key]);
  out += line('warren_unhandled_rejections_total', 'Promise rejections nothing handled (logged; the broker carried on).', 'counter', services.processFaults.unhandledRejections);
  out += line('warren_engine_faults_total', 'Faults the engine contained (a timer or a dead-lettering that threw), each logged.', 'counter', t.faults);
  const damage = services.journalDamage;
  out += line('warren_journal_damaged_bytes', 'Damaged journal bytes the recovery at start skipped (torn tails of a crash excluded).', 'gauge', damage?.bytes ?? 0);
  out += line('warren_journal_damaged_records', 'Damaged journal records the recovery at start skipped, where their number was known.', 'gauge', damage?.records ?? 0);
  out += line('warren_journal_lost_messages', 'Queued messages the recovery at start could not bring back because of damaged journal bytes.', 'gauge', damage?.lostMessages ?? 0);
  return out;
}
