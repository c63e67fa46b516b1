/** /api/overview: who this broker is, message rates, queued messages and object counts (of the caller's vhosts), listeners. */
import { visibleTotals } from '../../api/cluster-totals';
import type { Services } from '../../services';
import { ok, type ApiCall, type Route } from './router';
import { counted, EXCHANGE_TYPES, RABBITMQ_API_VERSION } from './shapes';

/** Where this process listens, as RabbitMQ lists its listeners. */
export function listenersJson(services: Services): Record<string, unknown>[] {
  return (['amqp', 'http'] as const)
    .filter((protocol) => services.listeners[protocol] !== '')
    .map((protocol) => {
      const at = services.listeners[protocol];
      const colon = at.lastIndexOf(':');
      return { node: services.nodeName, protocol, ip_address: at.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(at.slice(colon + 1)) };
    });
}

export function contextsJson(services: Services): Record<string, unknown>[] {
  const port = services.listeners.http.slice(services.listeners.http.lastIndexOf(':') + 1);
  return [{ node: services.nodeName, description: 'Warren Management', path: '/', port }];
}

async function overview({ services, access }: ApiCall) {
  const { brokerSampler } = services;
  const totals = await visibleTotals(services, access);
  const [previous, last] = brokerSampler.perSecond.toArray(Date.now() - 3000).slice(-2);
  const rates = last?.value.rates;
  // Broker-wide rates are for those who see every vhost, as the console's charts are.
  const rate = (r: number | undefined) => (access.seesAll ? (r ?? 0) : 0);
  const change = (k: 'ready' | 'unacked') => (previous && last ? last.value[k] - previous.value[k] : 0);
  const retainedSeconds = services.history.options.retentionDays * 86_400;
  return ok({
    management_version: RABBITMQ_API_VERSION,
    rates_mode: 'basic',
    // Seconds of samples kept: per-second points for 15 minutes, then 1-minute points in the metric history (broker and queues alike).
    sample_retention_policies: { global: [900, retainedSeconds], basic: [900, retainedSeconds], detailed: [] },
    exchange_types: EXCHANGE_TYPES,
    product_name: 'Warren',
    product_version: services.version,
    rabbitmq_version: RABBITMQ_API_VERSION,
    cluster_name: services.nodeName,
    node: services.nodeName,
    disable_stats: false,
    enable_queue_totals: false,
    statistics_db_event_queue: 0,
    message_stats: {
      ...counted('publish', totals.published, rate(rates?.published)),
      ...counted('deliver_get', totals.delivered, rate(rates?.delivered)),
      ...counted('ack', totals.acked, rate(rates?.acked)),
      ...counted('redeliver', totals.redelivered, rate(rates?.redelivered)),
      ...counted('return_unroutable', totals.returned, rate(rates?.returned)),
      drop_unroutable: Math.max(0, totals.unroutable - totals.returned),
    },
    queue_totals: {
      ...counted('messages', totals.ready + totals.unacked, rate(change('ready') + change('unacked'))),
      ...counted('messages_ready', totals.ready, rate(change('ready'))),
      ...counted('messages_unacknowledged', totals.unacked, rate(change('unacked'))),
    },
    object_totals: {
      channels: totals.channels,
      connections: totals.connections,
      consumers: totals.consumers,
      exchanges: totals.exchanges,
      queues: totals.queues,
    },
    listeners: listenersJson(services),
    contexts: contextsJson(services),
  });
}

function whoami({ user }: ApiCall) {
  return ok({ name: user.name, tags: user.tags });
}

export const overviewRoutes: Route[] = [
  { method: 'GET', path: '/overview', need: 'read', run: overview },
  { method: 'GET', path: '/whoami', need: 'read', run: whoami },
];
