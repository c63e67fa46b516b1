/**
 * One scenario played the same way against RabbitMQ 3.10 (to record its
 * management API's answers) and against Warren (to compare with them): a
 * topology made through the HTTP API itself, amqplib traffic that leaves
 * messages ready and unacknowledged, then every endpoint asked once.
 * Used by bench/mgmt-api-compare.ts and test/management/shapes.test.ts.
 */
import amqp, { type ChannelModel } from 'amqplib';

export interface Target {
  /** e.g. http://127.0.0.1:15672 */
  http: string;
  /** e.g. amqp://guest:guest@127.0.0.1:5672 (no vhost) */
  amqp: string;
  user: string;
  password: string;
}

export interface Answer {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export const VHOST = 'shapes';
export const EXCHANGE = 'shapes.events';
export const QUEUE = 'shapes.orders';
export const WATCHER = { name: 'shape-watcher', password: 'watch-pass' };
export const POLICY = 'shapes-limit';

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** One request; the body as JSON when there is one (text when it is not JSON). */
export async function call(target: Target, method: string, path: string, body?: unknown, auth = basicAuth(target.user, target.password)): Promise<Answer> {
  const headers: Record<string, string> = auth === '' ? {} : { authorization: auth };
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${target.http}/api${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // kept as text
  }
  return { method, path, status: res.status, body: parsed };
}

async function must(target: Target, method: string, path: string, body?: unknown): Promise<Answer> {
  const answer = await call(target, method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

const v = encodeURIComponent(VHOST);

/** The objects the scenario makes, through the management API. */
export async function makeTopology(target: Target): Promise<void> {
  await call(target, 'DELETE', `/vhosts/${v}`); // left over from an earlier run
  await must(target, 'PUT', `/vhosts/${v}`, {});
  await must(target, 'PUT', `/permissions/${v}/${encodeURIComponent(target.user)}`, { configure: '.*', write: '.*', read: '.*' });
  await must(target, 'PUT', `/users/${WATCHER.name}`, { password: WATCHER.password, tags: 'monitoring' });
  await must(target, 'PUT', `/permissions/${v}/${WATCHER.name}`, { configure: '', write: '', read: '.*' });
  await must(target, 'PUT', `/exchanges/${v}/${EXCHANGE}`, { type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} });
  await must(target, 'PUT', `/queues/${v}/${QUEUE}`, { durable: true, auto_delete: false, arguments: { 'x-max-length': 1000 } });
  await must(target, 'POST', `/bindings/${v}/e/${EXCHANGE}/q/${QUEUE}`, { routing_key: 'orders.#', arguments: {} });
  await must(target, 'POST', `/bindings/${v}/e/amq.topic/e/${EXCHANGE}`, { routing_key: 'orders.#', arguments: {} });
  await must(target, 'PUT', `/policies/${v}/${POLICY}`, { pattern: '^shapes\\.', definition: { 'max-length': 5000 }, priority: 1, 'apply-to': 'queues' });
}

/**
 * Five messages published with confirms, two of them delivered to a consumer
 * that does not ack (prefetch 2): three ready, two unacknowledged. The
 * connection stays open until `close` so that connections, channels and
 * consumers have something to list.
 */
export async function makeTraffic(target: Target): Promise<{ close(): Promise<void> }> {
  const conn: ChannelModel = await amqp.connect(`${target.amqp}/${v}`, { clientProperties: { connection_name: 'shapes-client' } });
  conn.on('error', () => {});
  const pub = await conn.createConfirmChannel();
  for (let i = 0; i < 5; i++) pub.publish(EXCHANGE, 'orders.new', Buffer.from(`order ${i}`), { contentType: 'text/plain', headers: { n: i } });
  await pub.waitForConfirms();
  const sub = await conn.createChannel();
  await sub.prefetch(2);
  await sub.consume(QUEUE, () => {}, { noAck: false, consumerTag: 'shapes-consumer' });
  return { close: () => conn.close().catch(() => {}) };
}

/** Waits until the API's queue shows the scenario's traffic (RabbitMQ's statistics arrive every 5 s). */
export async function settle(target: Target, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const q = (await call(target, 'GET', `/queues/${v}/${QUEUE}`)).body as {
      messages_ready?: number;
      messages_unacknowledged?: number;
      message_stats?: unknown;
    };
    const conns = (await call(target, 'GET', '/connections')).body as unknown[];
    if (q.messages_ready === 3 && q.messages_unacknowledged === 2 && q.message_stats && Array.isArray(conns) && conns.length > 0) return;
    if (Date.now() > deadline) throw new Error(`the queue never showed 3 ready and 2 unacknowledged messages with stats: ${JSON.stringify(q)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A fixture's file name for an answer: "GET /queues/shapes?page=1" → "GET_queues_shapes_page_1". */
export function fixtureName(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/_+$/, '');
}

/**
 * Every request compared, by a name that is stable across brokers (the
 * connection and channel names differ, so they are looked up first).
 * Reads first, then the calls that change things, then refusals.
 */
export async function askEverything(target: Target): Promise<Record<string, Answer>> {
  const out: Record<string, Answer> = {};
  const ask = async (name: string, method: string, path: string, body?: unknown, auth?: string) => {
    out[name] = await call(target, method, path, body, auth);
  };
  const get = (path: string) => ask(`GET ${path}`, 'GET', path);
  const conns = (await call(target, 'GET', '/connections')).body as { name: string }[];
  const chans = (await call(target, 'GET', '/channels')).body as { name: string }[];
  const bindings = (await call(target, 'GET', `/bindings/${v}/e/${EXCHANGE}/q/${QUEUE}`)).body as { properties_key: string }[];
  const conn = encodeURIComponent(conns[0]!.name);
  const chan = encodeURIComponent(chans[0]!.name);

  for (const path of [
    '/overview',
    '/nodes',
    '/whoami',
    '/vhosts',
    `/vhosts/${v}`,
    '/users',
    `/users/${WATCHER.name}`,
    '/permissions',
    `/permissions/${v}/${WATCHER.name}`,
    `/users/${WATCHER.name}/permissions`,
    `/vhosts/${v}/permissions`,
    '/connections',
    `/vhosts/${v}/connections`,
    '/channels',
    `/vhosts/${v}/channels`,
    '/consumers',
    `/consumers/${v}`,
    '/exchanges',
    `/exchanges/${v}`,
    `/exchanges/${v}/${EXCHANGE}`,
    `/exchanges/${v}/${EXCHANGE}/bindings/source`,
    `/exchanges/${v}/${EXCHANGE}/bindings/destination`,
    '/queues',
    `/queues/${v}`,
    `/queues/${v}/${QUEUE}`,
    `/queues/${v}/${QUEUE}/bindings`,
    '/bindings',
    `/bindings/${v}`,
    `/bindings/${v}/e/${EXCHANGE}/q/${QUEUE}`,
    `/bindings/${v}/e/amq.topic/e/${EXCHANGE}`,
    '/policies',
    `/policies/${v}`,
    `/policies/${v}/${POLICY}`,
    '/healthchecks/node',
    `/aliveness-test/${v}`,
    `/queues/${v}?page=1&page_size=1&name=orders&use_regex=false&sort=name&sort_reverse=false`,
    `/exchanges/${v}?page=2&page_size=3&sort=name`,
    `/exchanges/${v}?page=1&name=%5Eamq%5C.t&use_regex=true`,
    `/queues?columns=name,messages,message_stats.publish_details.rate`,
  ]) {
    await get(path);
  }
  // Names differ between brokers: recorded under a stable name.
  out['GET /connections/{name}'] = await call(target, 'GET', `/connections/${conn}`);
  out['GET /connections/{name}/channels'] = await call(target, 'GET', `/connections/${conn}/channels`);
  out['GET /channels/{name}'] = await call(target, 'GET', `/channels/${chan}`);
  out['GET /bindings/{vhost}/e/{exchange}/q/{queue}/{props}'] = await call(
    target,
    'GET',
    `/bindings/${v}/e/${EXCHANGE}/q/${QUEUE}/${encodeURIComponent(bindings[0]!.properties_key)}`,
  );

  await ask(`POST /exchanges/${v}/${EXCHANGE}/publish`, 'POST', `/exchanges/${v}/${EXCHANGE}/publish`, {
    properties: { content_type: 'text/plain', headers: { via: 'api' } },
    routing_key: 'orders.api',
    payload: 'from the API',
    payload_encoding: 'string',
  });
  await ask(`POST /queues/${v}/${QUEUE}/get`, 'POST', `/queues/${v}/${QUEUE}/get`, {
    count: 2,
    ackmode: 'ack_requeue_true',
    encoding: 'auto',
    truncate: 50000,
  });

  // Refusals: RabbitMQ's {"error", "reason"} with its status codes.
  await ask('GET /queues without credentials', 'GET', '/queues', undefined, '');
  await ask('GET /queues with a wrong password', 'GET', '/queues', undefined, basicAuth(target.user, 'not-the-password'));
  await ask('GET /queues/{vhost}/missing', 'GET', `/queues/${v}/no-such-queue`);
  await ask('GET /vhosts/missing', 'GET', '/vhosts/no-such-vhost');
  await ask('PUT /queues as monitoring', 'PUT', `/queues/${v}/watcher-made`, { durable: true }, basicAuth(WATCHER.name, WATCHER.password));
  await ask('PUT /queues with bad JSON', 'PUT', `/queues/${v}/bad-json`, '{"durable": tru');
  await ask('GET /queues page_size too large', 'GET', `/queues?page=1&page_size=1000`);
  await ask('PUT /queues with different arguments', 'PUT', `/queues/${v}/${QUEUE}`, { durable: true, arguments: { 'x-max-length': 7 } });

  await ask(`DELETE /queues/${v}/${QUEUE}/contents`, 'DELETE', `/queues/${v}/${QUEUE}/contents`);
  return out;
}

/** Removes what the scenario made. */
export async function cleanUp(target: Target): Promise<void> {
  await call(target, 'DELETE', `/vhosts/${v}`);
  await call(target, 'DELETE', `/users/${WATCHER.name}`);
}

/**
 * The field names of a JSON value, as dotted paths: objects by key, array
 * items merged under "[]". Keys whose names are data, not fields (argument
 * tables, headers, policy definitions), stop the walk.
 */
export function fieldPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) fieldPaths(item, `${prefix}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.add(path);
      if (!DATA_KEYS.has(key)) fieldPaths(inner, path, out);
    }
  }
  return out;
}

/** Objects whose keys are names given by users or by the broker's own configuration. */
const DATA_KEYS = new Set([
  'arguments',
  'cluster_state',
  'headers',
  'definition',
  'client_properties',
  'capabilities',
  'effective_policy_definition',
  'backing_queue_status',
  'garbage_collection',
  'metadata',
  'limits',
]);
