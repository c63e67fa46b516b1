/** /api/exchanges: list, one, declare, delete, publish, and the bindings that leave or reach one. */
import { deleteExchange } from '../../api/changes';
import type { ExchangeStats } from '../../broker/types';
import type { Services } from '../../services';
import { bindingJson } from './bindings';
import { payloadFromJson, propertiesFromJson } from './messages';
import { listAnswer, withColumns } from './pagination';
import { created, noContent, ok, type ApiCall, type Route } from './router';
import { bool, counted, exchangeName, flag, object, table, text } from './shapes';

export function exchangeJson(services: Services, e: ExchangeStats): Record<string, unknown> {
  const rates = services.brokerSampler.exchangeRates(e.vhost, e.name);
  return {
    name: e.name,
    vhost: e.vhost,
    type: e.type,
    durable: e.durable,
    auto_delete: e.autoDelete,
    internal: e.internal,
    arguments: table(e.arguments),
    ...(e.policy === null ? {} : { policy: e.policy }),
    message_stats: { ...counted('publish_in', e.counters.publishedIn, rates.publishIn), ...counted('publish_out', e.counters.publishedOut, rates.publishOut) },
  };
}

function list({ services, access, params, query }: ApiCall) {
  return ok(
    listAnswer(
      access.visible(services.broker.listExchanges(params.vhost)).map((e) => exchangeJson(services, e)),
      query,
      { pages: true },
    ),
  );
}

function one({ services, params, query }: ApiCall<'vhost' | 'name'>) {
  const e = services.broker.getExchange(params.vhost, exchangeName(params.name));
  // Per-exchange breakdowns, which RabbitMQ keeps only in its "detailed" rates mode.
  return ok(withColumns({ ...exchangeJson(services, e), incoming: [], outgoing: [] }, query));
}

function declare({ services, params, body }: ApiCall<'vhost' | 'name'>) {
  const { broker } = services;
  const existed = broker.has(params.vhost, 'exchange', params.name);
  broker.declareExchange(params.vhost, params.name, text(body, 'type'), {
    durable: bool(body, 'durable', true),
    autoDelete: bool(body, 'auto_delete', false),
    internal: bool(body, 'internal', false),
    arguments: object(body, 'arguments'),
  });
  return existed ? noContent() : created();
}

async function remove({ actor, params, query }: ApiCall<'vhost' | 'name'>) {
  await deleteExchange(actor, params.vhost, params.name, { ifUnused: flag(query, 'if-unused') });
  return noContent();
}

/** Publishes one message as a client would (RabbitMQ's answer: whether a queue took it). */
function publish({ services, params, body }: ApiCall<'vhost' | 'name'>) {
  const properties = propertiesFromJson(object(body, 'properties'));
  const payload = payloadFromJson(body.payload, body.payload_encoding);
  const result = services.broker.publish(params.vhost, exchangeName(params.name), text(body, 'routing_key'), properties, payload, { mandatory: false });
  return ok({ routed: result.routed > 0 });
}

function bindings(side: 'source' | 'destination') {
  return ({ services, params }: ApiCall<'vhost' | 'name'>) => {
    const name = exchangeName(params.name);
    services.broker.getExchange(params.vhost, name);
    const all = services.broker.listBindings(params.vhost);
    const rows = side === 'source' ? all.filter((b) => b.source === name) : all.filter((b) => b.destinationType === 'exchange' && b.destination === name);
    return ok(rows.map(bindingJson));
  };
}

export const exchangeRoutes: Route[] = [
  { method: 'GET', path: '/exchanges', need: 'read', run: list },
  { method: 'GET', path: '/exchanges/{vhost}', need: 'read', run: list },
  { method: 'GET', path: '/exchanges/{vhost}/{name}', need: 'read', run: one },
  { method: 'PUT', path: '/exchanges/{vhost}/{name}', need: 'change', run: declare },
  { method: 'DELETE', path: '/exchanges/{vhost}/{name}', need: 'change', run: remove },
  { method: 'POST', path: '/exchanges/{vhost}/{name}/publish', need: 'change', run: publish },
  { method: 'GET', path: '/exchanges/{vhost}/{name}/bindings/source', need: 'read', run: bindings('source') },
  { method: 'GET', path: '/exchanges/{vhost}/{name}/bindings/destination', need: 'read', run: bindings('destination') },
];
