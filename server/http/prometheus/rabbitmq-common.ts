/**
 * The families /metrics and /metrics/per-object both carry, as
 * rabbitmq_prometheus writes them: who the node is (rabbitmq_build_info,
 * rabbitmq_identity_info, which RabbitMQ's Grafana dashboards join every
 * query on) and the object totals.
 */
import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import { family, single } from './family';
import type { ScrapeSource } from './scrape';

const PROM_CLIENT_VERSION = (createRequire(import.meta.url)('prom-client/package.json') as { version: string }).version;

export function registerCommon(registry: Registry, source: ScrapeSource, endpoint: 'aggregated' | 'per-object'): void {
  family(registry, 'rabbitmq_build_info', 'RabbitMQ & Erlang/OTP version info (here: Warren and Node.js)', 'gauge', () => {
    const { version } = source.scrape.services;
    return [
      {
        value: 1,
        labels: {
          product_name: 'Warren',
          product_version: version,
          rabbitmq_version: version,
          prometheus_plugin_version: version,
          prometheus_client_version: PROM_CLIENT_VERSION,
          nodejs_version: process.version,
        },
      },
    ];
  });
  family(registry, 'rabbitmq_identity_info', 'RabbitMQ node & cluster identity info', 'gauge', () => {
    const { nodeName } = source.scrape.services;
    // A single node is its own cluster; RabbitMQ's default cluster name is its first node's name.
    return [{ value: 1, labels: { rabbitmq_node: nodeName, rabbitmq_cluster: nodeName, rabbitmq_endpoint: endpoint } }];
  });
  single(registry, 'rabbitmq_connections', 'Connections currently open', 'gauge', () => source.scrape.totals.connections);
  single(registry, 'rabbitmq_channels', 'Channels currently open', 'gauge', () => source.scrape.totals.channels);
  single(registry, 'rabbitmq_consumers', 'Consumers currently connected', 'gauge', () => source.scrape.totals.consumers);
  single(registry, 'rabbitmq_queues', 'Queues available', 'gauge', () => source.scrape.totals.queues);
}
