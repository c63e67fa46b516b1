/** /api/channels: list, one, per vhost. */
import type { Channel } from '../../broker/channel';
import type { ConnectionSummary } from '../../broker/types';
import type { Services } from '../../services';
import { visibleConnections } from './connections';
import { consumerJson } from './consumers';
import { notFound } from './errors';
import { listAnswer, withColumns } from './pagination';
import { ok, type ApiCall, type Route } from './router';
import { channelName, parseChannelName } from './shapes';

export function channelsOf({ services }: ApiCall, c: ConnectionSummary): Channel[] {
  return [...(services.broker.getConnection(c.id)?.channels.values() ?? [])];
}

export function channelJson(services: Services, ch: Channel): Record<string, unknown> {
  const info = ch.connection.info;
  return {
    name: channelName(ch.connection.id, ch.number),
    number: ch.number,
    node: services.nodeName,
    vhost: info.vhost,
    user: info.user,
    connection_details: { name: ch.connection.id, peer_host: info.peerAddress, ...(info.peerPort === undefined ? {} : { peer_port: info.peerPort }) },
    state: ch.writable ? 'running' : 'flow',
    consumer_count: ch.consumers.size,
    messages_unacknowledged: ch.unackedCount,
    prefetch_count: ch.prefetchCount,
    global_prefetch_count: ch.globalPrefetchCount,
    confirm: ch.confirm,
    transactional: ch.transactional,
  };
}

function list(call: ApiCall) {
  const vhost = call.params.vhost;
  if (vhost !== undefined) call.services.broker.listQueueSummaries(vhost); // 404 for a missing vhost
  const rows = visibleConnections(call, vhost).flatMap((c) => channelsOf(call, c).map((ch) => channelJson(call.services, ch)));
  return ok(listAnswer(rows, call.query, { pages: true }));
}

function one(call: ApiCall<'name'>) {
  const named = parseChannelName(call.params.name);
  const connection = named && visibleConnections(call).find((c) => c.id === named.connectionId);
  const ch = connection && call.services.broker.getConnection(connection.id)?.channel(named.number);
  if (!ch) throw notFound(`Not Found: no open channel named '${call.params.name}' (names are as /api/channels lists them).`);
  const consumers = call.services.broker.listConsumers(ch.connection.vhost).filter((c) => c.connectionId === ch.connection.id && c.channel === ch.number);
  // deliveries and publishes: per-queue breakdowns that RabbitMQ keeps only in its "detailed" rates mode.
  return ok(
    withColumns(
      { ...channelJson(call.services, ch), consumer_details: consumers.map((c) => consumerJson(call.services, c)), deliveries: [], publishes: [] },
      call.query,
    ),
  );
}

export const channelRoutes: Route[] = [
  { method: 'GET', path: '/channels', need: 'read', run: list },
  { method: 'GET', path: '/vhosts/{vhost}/channels', need: 'read', run: list },
  { method: 'GET', path: '/channels/{name}', need: 'read', run: one },
];
