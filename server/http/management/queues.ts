/** /api/queues: list, one queue, declare, delete, purge (contents), get (with ackmode, and Warren's peek), bindings. */
import { deleteQueue, purgeQueue, takeMessages } from '../../api/changes';
import type { MessageProperties, QueueStats } from '../../broker/types';
import type { Services } from '../../services';
import { bindingJson } from './bindings';
import { consumerJson } from './consumers';
import { badRequest } from './errors';
import { propertiesJson, payloadJson } from './messages';
import { listAnswer, withColumns } from './pagination';
import { created, noContent, ok, requireNeed, type ApiCall, type Route } from './router';
import { bool, counted, flag, integer, object, table, text } from './shapes';

export function queueJson(services: Services, q: QueueStats): Record<string, unknown> {
  const { brokerSampler } = services;
  const { rates, depth } = brokerSampler.queueSeries(q.vhost, q.name);
  const messages = q.ready + q.unacked;
  // Depth change over the last second, from the sampler's 1-second depth points.
  const depthRate = depth.length >= 2 ? depth[depth.length - 1]! - depth[depth.length - 2]! : 0;
  const policy = q.policy === null ? null : services.broker.policy(q.vhost, q.policy);
  return {
    name: q.name,
    vhost: q.vhost,
    type: q.type,
    durable: q.durable,
    auto_delete: q.autoDelete,
    exclusive: q.exclusive,
    arguments: table(q.arguments),
    node: services.nodeName,
    state: 'running',
    policy: q.policy,
    operator_policy: null,
    effective_policy_definition: policy === null ? {} : table(policy.definition),
    consumers: q.consumers,
    consumer_utilisation: rates.utilisation,
    consumer_capacity: rates.utilisation,
    single_active_consumer_tag: q.activeConsumerTag,
    exclusive_consumer_tag: null,
    ...counted('messages', messages, depthRate),
    messages_ready: q.ready,
    messages_unacknowledged: q.unacked,
    message_bytes_ready: q.readyBytes,
    message_stats: {
      ...counted('publish', q.counters.published, rates.incoming),
      ...counted('deliver_get', q.counters.delivered, rates.deliver),
      ...counted('ack', q.counters.acked, rates.ack),
      redeliver: q.counters.redelivered,
    },
  };
}

function list({ services, access, params, query }: ApiCall) {
  const rows = access.visible(services.broker.listQueues(params.vhost)).map((q) => queueJson(services, q));
  return ok(listAnswer(rows, query, { pages: true }));
}

function one({ services, params, query }: ApiCall<'vhost' | 'name'>) {
  const { broker } = services;
  const q = broker.getQueue(params.vhost, params.name);
  return ok(
    withColumns(
      {
        ...queueJson(services, q),
        consumer_details: broker
          .listConsumers(q.vhost)
          .filter((c) => c.queue === q.name)
          .map((c) => consumerJson(services, c)),
        // Per-channel breakdowns, which RabbitMQ keeps only in its "detailed" rates mode.
        deliveries: [],
        incoming: [],
      },
      query,
    ),
  );
}

function declare({ services, params, body }: ApiCall<'vhost' | 'name'>) {
  const { broker } = services;
  const existed = broker.has(params.vhost, 'queue', params.name);
  broker.declareQueue(params.vhost, params.name, {
    durable: bool(body, 'durable', true),
    autoDelete: bool(body, 'auto_delete', false),
    arguments: object(body, 'arguments'),
  });
  return existed ? noContent() : created();
}

async function remove({ actor, params, query }: ApiCall<'vhost' | 'name'>) {
  await deleteQueue(actor, params.vhost, params.name, { ifUnused: flag(query, 'if-unused'), ifEmpty: flag(query, 'if-empty') });
  return noContent();
}

async function purge({ actor, params }: ApiCall<'vhost' | 'name'>) {
  await purgeQueue(actor, params.vhost, params.name);
  return noContent();
}

/** RabbitMQ's ackmodes, and Warren's peek: read the head without taking anything. */
const ACK_MODES = {
  ack_requeue_true: 'requeue',
  reject_requeue_true: 'requeue',
  ack_requeue_false: 'ack',
  reject_requeue_false: 'reject',
  peek: 'peek',
} as const;

async function get({ services, access, actor, params, body }: ApiCall<'vhost' | 'name'>) {
  const ackmode = text(body, 'ackmode');
  const mode = ACK_MODES[ackmode as keyof typeof ACK_MODES];
  if (mode === undefined) throw badRequest(`ackmode must be one of ${Object.keys(ACK_MODES).join(', ')}, not '${ackmode}'.`);
  if (mode !== 'peek') requireNeed('change', access, params.vhost);
  const count = integer(body, 'count', 1);
  if (count < 1 || count > 500) throw badRequest(`count must be between 1 and 500, not ${count}.`);
  const encoding = text(body, 'encoding', 'auto');
  if (encoding !== 'auto' && encoding !== 'base64') throw badRequest(`encoding must be "auto" or "base64", not '${encoding}'.`);
  const truncate = body.truncate === undefined || body.truncate === null ? undefined : integer(body, 'truncate', 0);
  const shape = (m: { redelivered: boolean; exchange: string; routingKey: string; properties: MessageProperties; body: Buffer }, left: number) => ({
    payload_bytes: m.body.length,
    redelivered: m.redelivered,
    exchange: m.exchange,
    routing_key: m.routingKey,
    message_count: left,
    properties: propertiesJson(m.properties),
    ...payloadJson(m.body, encoding, truncate),
  });
  if (mode === 'peek') {
    const ready = services.broker.getQueue(params.vhost, params.name).ready;
    return ok(services.broker.browseQueue(params.vhost, params.name, { limit: count }).map((m) => shape(m, ready - m.position - 1)));
  }
  const taken = await takeMessages(actor, params.vhost, params.name, count, mode);
  // Deliveries read `redelivered`, and messages their body, through getters, which a spread would not copy.
  return ok(
    taken.map((d) =>
      shape(
        { exchange: d.exchange, routingKey: d.routingKey, redelivered: d.redelivered, properties: d.message.properties, body: d.message.body },
        d.messageCount,
      ),
    ),
  );
}

function bindings({ services, params }: ApiCall<'vhost' | 'name'>) {
  services.broker.getQueue(params.vhost, params.name);
  const rows = services.broker.listBindings(params.vhost).filter((b) => b.destinationType === 'queue' && b.destination === params.name);
  return ok(rows.map(bindingJson));
}

export const queueRoutes: Route[] = [
  { method: 'GET', path: '/queues', need: 'read', run: list },
  { method: 'GET', path: '/queues/{vhost}', need: 'read', run: list },
  { method: 'GET', path: '/queues/{vhost}/{name}', need: 'read', run: one },
  { method: 'PUT', path: '/queues/{vhost}/{name}', need: 'change', run: declare },
  { method: 'DELETE', path: '/queues/{vhost}/{name}', need: 'change', run: remove },
  { method: 'DELETE', path: '/queues/{vhost}/{name}/contents', need: 'change', run: purge },
  { method: 'POST', path: '/queues/{vhost}/{name}/get', need: 'read', run: get },
  { method: 'GET', path: '/queues/{vhost}/{name}/bindings', need: 'read', run: bindings },
];
