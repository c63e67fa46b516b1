/** /api/channels: list, one, per vhost; the channels of every node's clients in a cluster. */
import { channelRows, type ListedConnection, parseConnectionId } from '../../api/connection-rows';
import type { Services } from '../../services';
import { nodeOf, visibleConnections } from './connections';
import { channelDetails, consumerJson } from './consumers';
import { notFound } from './errors';
import { listAnswer, withColumns } from './pagination';
import { ok, type ApiCall, type Route } from './router';
import { channelName, parseChannelName } from './shapes';

type ListedChannel = ReturnType<typeof channelRows>[number];

export function channelsOf(c: ListedConnection): ListedChannel[] {
  return channelRows([c]);
}

/** A channel of any node's client, in RabbitMQ's shape. */
export function channelJson(services: Services, ch: ListedChannel): Record<string, unknown> {
  const c = ch.connection;
  return {
    name: channelName(c.id, ch.number),
    number: ch.number,
    node: nodeOf(services, c),
    vhost: c.vhost,
    user: c.user,
    connection_details: { name: c.id, peer_host: c.peerAddress, ...(c.peerPort === null ? {} : { peer_port: c.peerPort }) },
    state: ch.flowing ? 'running' : 'flow',
    consumer_count: ch.consumers.length,
    messages_unacknowledged: ch.unacked,
    prefetch_count: ch.prefetch,
    global_prefetch_count: ch.globalPrefetch,
    confirm: ch.confirm,
    transactional: ch.transactional,
  };
}

async function list(call: ApiCall) {
  const vhost = call.params.vhost;
  if (vhost !== undefined) call.services.broker.listQueueSummaries(vhost); // 404 for a missing vhost
  const rows = (await visibleConnections(call, vhost)).flatMap((c) => channelsOf(c).map((ch) => channelJson(call.services, ch)));
  return ok(listAnswer(rows, call.query, { pages: true }));
}

/** What a channel consumes: this node's with every detail, another node's as its last heartbeat wrote them. */
function consumerDetails(services: Services, ch: ListedChannel): Record<string, unknown>[] {
  if (parseConnectionId(ch.connection.id).node === null) {
    const consumers = services.broker.listConsumers(ch.connection.vhost);
    return consumers.filter((c) => c.connectionId === ch.connection.id && c.channel === ch.number).map((c) => consumerJson(services, c));
  }
  const c = ch.connection;
  const on = channelDetails({ connectionId: c.id, number: ch.number, node: nodeOf(services, c), peerHost: c.peerAddress, user: c.user });
  return ch.consumers.map((consumer) => ({
    consumer_tag: consumer.tag,
    queue: { name: consumer.queue, vhost: consumer.vhost },
    channel_details: on,
    ack_required: !consumer.noAck,
    prefetch_count: consumer.prefetch,
  }));
}

async function one(call: ApiCall<'name'>) {
  const named = parseChannelName(call.params.name);
  const connection = named && (await visibleConnections(call)).find((c) => c.id === named.connectionId);
  const ch = connection && channelsOf(connection).find((c) => c.number === named.number);
  if (!ch) throw notFound(`Not Found: no open channel named '${call.params.name}' (names are as /api/channels lists them).`);
  // deliveries and publishes: per-queue breakdowns that RabbitMQ keeps only in its "detailed" rates mode.
  return ok(
    withColumns({ ...channelJson(call.services, ch), consumer_details: consumerDetails(call.services, ch), deliveries: [], publishes: [] }, call.query),
  );
}

export const channelRoutes: Route[] = [
  { method: 'GET', path: '/channels', need: 'read', run: list },
  { method: 'GET', path: '/vhosts/{vhost}/channels', need: 'read', run: list },
  { method: 'GET', path: '/channels/{name}', need: 'read', run: one },
];
