/** /api/bindings: list (all, per vhost, between two objects), create (POST, 201 with Location), one, delete. */
import { createHash } from 'node:crypto';
import { addBinding, removeBinding } from '../../api/changes';
import type { BindingInfo } from '../../broker/types';
import { notFound } from './errors';
import { listAnswer } from './pagination';
import { created, noContent, ok, type ApiCall, type Route } from './router';
import { exchangeName, object, table, text } from './shapes';

/** RabbitMQ's escaping of a routing key in a path: percent-encoded, ~ too (it separates the arguments' hash). */
function quoteKey(key: string): string {
  return encodeURIComponent(key).replace(/~/g, '%7E');
}

/**
 * What tells apart bindings between the same two objects, as RabbitMQ writes
 * it: "~" for an empty key without arguments, the quoted key, or the key,
 * "~" and a hash of the arguments (Warren's hash is its own).
 */
export function propertiesKey(b: Pick<BindingInfo, 'routingKey' | 'arguments'>): string {
  const args = Object.keys(b.arguments);
  if (args.length === 0) return b.routingKey === '' ? '~' : quoteKey(b.routingKey);
  const sorted = JSON.stringify(args.sort().map((k) => [k, String(b.arguments[k])]));
  return `${quoteKey(b.routingKey)}~${createHash('sha256').update(sorted).digest('base64url').slice(0, 22)}`;
}

export function bindingJson(b: BindingInfo): Record<string, unknown> {
  return {
    source: b.source,
    vhost: b.vhost,
    destination: b.destination,
    destination_type: b.destinationType,
    routing_key: b.routingKey,
    arguments: table(b.arguments),
    properties_key: propertiesKey(b),
  };
}

function list({ services, access, params, query }: ApiCall) {
  return ok(listAnswer(access.visible(services.broker.listBindings(params.vhost)).map(bindingJson), query, { pages: false }));
}

function destinationType(kind: string): 'queue' | 'exchange' {
  if (kind === 'q') return 'queue';
  if (kind === 'e') return 'exchange';
  throw notFound(`Not Found: a binding's destination is q/{queue} or e/{exchange}, not ${kind}/.`);
}

/** A call on a PAIR path (below). */
type PairCall = ApiCall<'vhost' | 'source' | 'kind' | 'destination'>;

/** The bindings from one exchange to one queue or exchange; 404 when either is missing. */
function between({ services, params }: PairCall): BindingInfo[] {
  const { broker } = services;
  const type = destinationType(params.kind);
  const source = exchangeName(params.source);
  broker.getExchange(params.vhost, source);
  if (type === 'queue') broker.getQueue(params.vhost, params.destination);
  else broker.getExchange(params.vhost, params.destination);
  return broker.listBindings(params.vhost).filter((b) => b.source === source && b.destinationType === type && b.destination === params.destination);
}

function one(call: PairCall): BindingInfo {
  const found = between(call).find((b) => propertiesKey(b) === call.params.props);
  if (!found) throw notFound(`Not Found: no binding with properties key '${call.params.props}' between these two; GET the list without it to see the keys.`);
  return found;
}

async function create(call: PairCall) {
  between(call);
  const { params, body } = call;
  const binding: BindingInfo = {
    vhost: params.vhost,
    source: exchangeName(params.source),
    destination: params.destination,
    destinationType: destinationType(params.kind),
    routingKey: text(body, 'routing_key', ''),
    arguments: object(body, 'arguments'),
  };
  await addBinding(call.actor, binding);
  const at = [params.vhost, params.source, params.kind, params.destination].map(encodeURIComponent);
  return created({ location: `/api/bindings/${at[0]}/e/${at[1]}/${at[2]}/${at[3]}/${propertiesKey(binding)}` });
}

async function remove(call: PairCall) {
  await removeBinding(call.actor, one(call));
  return noContent();
}

const PAIR = '/bindings/{vhost}/e/{source}/{kind}/{destination}';

export const bindingRoutes: Route[] = [
  { method: 'GET', path: '/bindings', need: 'read', run: list },
  { method: 'GET', path: '/bindings/{vhost}', need: 'read', run: list },
  { method: 'GET', path: PAIR, need: 'read', run: (call: PairCall) => ok(between(call).map(bindingJson)) },
  { method: 'POST', path: PAIR, need: 'change', run: create },
  { method: 'GET', path: `${PAIR}/{props}`, need: 'read', run: (call: PairCall) => ok(bindingJson(one(call))) },
  { method: 'DELETE', path: `${PAIR}/{props}`, need: 'change', run: remove },
];
