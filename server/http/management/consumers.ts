/** /api/consumers: every consumer, or those of one vhost. */
import type { ConsumerInfo } from '../../broker/types';
import type { Services } from '../../services';
import { listAnswer } from './pagination';
import { ok, type ApiCall, type Route } from './router';
import { channelName, table } from './shapes';

/** The channel a consumer is on, as RabbitMQ's channel_details. */
export function channelDetails(on: { connectionId: string; number: number; node: string; peerHost: string; user: string }) {
  return {
    name: channelName(on.connectionId, on.number),
    number: on.number,
    connection_name: on.connectionId,
    node: on.node,
    peer_host: on.peerHost,
    user: on.user,
  };
}

export function consumerJson(services: Services, c: ConsumerInfo): Record<string, unknown> {
  const connection = services.broker.getConnection(c.connectionId);
  return {
    consumer_tag: c.consumerTag,
    queue: { name: c.queue, vhost: c.vhost },
    channel_details: channelDetails({
      connectionId: c.connectionId,
      number: c.channel,
      node: services.nodeName,
      peerHost: connection?.info.peerAddress ?? '',
      user: connection?.info.user ?? '',
    }),
    ack_required: !c.noAck,
    exclusive: c.exclusive,
    prefetch_count: c.prefetchCount,
    active: c.active,
    activity_status: c.active ? 'up' : 'waiting',
    arguments: table(c.arguments),
  };
}

function list({ services, access, params, query }: ApiCall) {
  return ok(
    listAnswer(
      access.visible(services.broker.listConsumers(params.vhost)).map((c) => consumerJson(services, c)),
      query,
      { pages: false },
    ),
  );
}

export const consumerRoutes: Route[] = [
  { method: 'GET', path: '/consumers', need: 'read', run: list },
  { method: 'GET', path: '/consumers/{vhost}', need: 'read', run: list },
];
