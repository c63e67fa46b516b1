/** /api/nodes: this one process, as RabbitMQ describes a node. */
import os from 'node:os';
import type { Services } from '../../services';
import { contextsJson } from './overview';
import { notFound } from './errors';
import { ok, type ApiCall, type Route } from './router';
import { EXCHANGE_TYPES } from './shapes';

const AUTH_MECHANISMS = [
  { name: 'PLAIN', description: 'SASL PLAIN authentication mechanism', enabled: true },
  { name: 'AMQPLAIN', description: 'QPid AMQPLAIN mechanism', enabled: true },
];

function nodeJson(services: Services): Record<string, unknown> {
  const memory = services.memory();
  const alarms = services.alarms().map((a) => a.source);
  return {
    name: services.nodeName,
    type: 'disc',
    running: true,
    os_pid: String(process.pid),
    uptime: Date.now() - services.startedAt,
    processors: os.cpus().length,
    rates_mode: 'basic',
    mem_used: process.memoryUsage().rss,
    // Warren's memory alarm counts heap and queued bytes against its mark (amqp/memory-alarm.ts); without one, the machine's memory.
    mem_limit: memory?.highWatermarkBytes ?? os.totalmem(),
    mem_alarm: alarms.includes('memory'),
    mem_calculation_strategy: 'rss',
    disk_free_alarm: alarms.includes('disk'),
    partitions: [],
    cluster_links: [],
    exchange_types: EXCHANGE_TYPES,
    auth_mechanisms: AUTH_MECHANISMS,
    contexts: contextsJson(services),
  };
}

export const nodeRoutes: Route[] = [
  { method: 'GET', path: '/nodes', need: 'monitor', run: ({ services }: ApiCall) => ok([nodeJson(services)]) },
  {
    method: 'GET',
    path: '/nodes/{node}',
    need: 'monitor',
    run: ({ services, params }: ApiCall) => {
      if (params.node !== services.nodeName) throw notFound(`Not Found: this broker is the one node '${services.nodeName}'.`);
      return ok(nodeJson(services));
    },
  },
];
