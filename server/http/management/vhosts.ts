/** /api/vhosts: list, one, create (PUT), delete, and the permissions on one. */
import { createVhost, deleteVhost } from '../../api/changes';
import type { Services } from '../../services';
import { notFound } from './errors';
import { listAnswer, withColumns } from './pagination';
import { permissionJson } from './permissions';
import { created, noContent, ok, type ApiCall, type Route } from './router';
import { counted } from './shapes';

function vhostJson(services: Services, name: string): Record<string, unknown> {
  const { broker, brokerSampler } = services;
  const queues = broker.listQueues(name);
  const exchanges = broker.listExchanges(name);
  const connections = broker.listConnections().filter((c) => c.vhost === name);
  const sum = <T>(items: T[], of: (item: T) => number) => items.reduce((n, item) => n + of(item), 0);
  const queueRates = queues.map((q) => brokerSampler.queueRates(q.vhost, q.name));
  const ready = sum(queues, (q) => q.ready);
  const unacked = sum(queues, (q) => q.unacked);
  return {
    name,
    // Warren keeps no description or tags for a vhost; its queues are classic unless declared otherwise.
    description: '',
    tags: [],
    default_queue_type: 'classic',
    metadata: { description: '', tags: [] },
    tracing: false,
    cluster_state: { [services.nodeName]: 'running' },
    messages: ready + unacked,
    messages_ready: ready,
    messages_unacknowledged: unacked,
    message_stats: {
      ...counted(
        'publish',
        sum(exchanges, (e) => e.counters.publishedIn),
        sum(exchanges, (e) => brokerSampler.exchangeRates(e.vhost, e.name).publishIn),
      ),
      ...counted(
        'deliver_get',
        sum(queues, (q) => q.counters.delivered),
        sum(queueRates, (r) => r.deliver),
      ),
      ...counted(
        'ack',
        sum(queues, (q) => q.counters.acked),
        sum(queueRates, (r) => r.ack),
      ),
      redeliver: sum(queues, (q) => q.counters.redelivered),
    },
    ...counted(
      'recv_oct',
      sum(connections, (c) => c.bytesReceived),
      sum(connections, (c) => brokerSampler.connectionRates(c.id).receivedBytesPerSecond),
    ),
    ...counted(
      'send_oct',
      sum(connections, (c) => c.bytesSent),
      sum(connections, (c) => brokerSampler.connectionRates(c.id).sentBytesPerSecond),
    ),
  };
}

function existing(services: Services, name: string): string {
  if (!services.broker.hasVhost(name)) throw notFound(`Not Found: no vhost '${name}'.`);
  return name;
}

function list({ services, access, query }: ApiCall) {
  return ok(
    listAnswer(
      access.visibleVhosts(services.broker.listVhosts()).map((name) => vhostJson(services, name)),
      query,
      { pages: true },
    ),
  );
}

/** Creates the vhost; one that exists is left as it is (204), as RabbitMQ does. Description and tags are not kept. */
async function put({ services, actor, params }: ApiCall<'vhost'>) {
  if (services.broker.hasVhost(params.vhost)) return noContent();
  await createVhost(actor, params.vhost);
  return created();
}

async function remove({ services, actor, params }: ApiCall<'vhost'>) {
  await deleteVhost(actor, existing(services, params.vhost));
  return noContent();
}

function permissions({ services, params }: ApiCall<'vhost'>) {
  existing(services, params.vhost);
  return ok(
    services.users.access
      .list()
      .filter((p) => p.vhost === params.vhost)
      .map(permissionJson),
  );
}

export const vhostRoutes: Route[] = [
  { method: 'GET', path: '/vhosts', need: 'read', run: list },
  {
    method: 'GET',
    path: '/vhosts/{vhost}',
    need: 'read',
    run: ({ services, params, query }: ApiCall<'vhost'>) => ok(withColumns(vhostJson(services, existing(services, params.vhost)), query)),
  },
  { method: 'PUT', path: '/vhosts/{vhost}', need: 'admin', run: put },
  { method: 'DELETE', path: '/vhosts/{vhost}', need: 'admin', run: remove },
  { method: 'GET', path: '/vhosts/{vhost}/permissions', need: 'admin', run: permissions },
];
