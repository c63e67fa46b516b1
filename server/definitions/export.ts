/**
 * Writing Warren's definitions in RabbitMQ's format (as RabbitMQ 3.10's
 * `GET /api/definitions` does), so that RabbitMQ's tools read it and an
 * import into another Warren makes the same things. Sorted by vhost and
 * name, so that two exports of the same broker are the same text. With
 * `vhost`, RabbitMQ's per-vhost form: that vhost's policies, queues,
 * exchanges and bindings, without `vhost` fields. Exclusive queues, the
 * default exchange's implicit bindings and the predeclared `amq.*`
 * exchanges are not written (RabbitMQ leaves them out too).
 */
import type { DefinitionsServices } from './current-state';
import { plainJson, type Json } from './json-values';
import { secretForFile } from './password-hashes';

/** The RabbitMQ version whose format this is. */
export const FORMAT_VERSION = '3.10.0';

export type ExportedDefinitions = Record<string, Json>;

const byName = <T extends { name: string; vhost?: string }>(a: T, b: T) => (a.vhost ?? '').localeCompare(b.vhost ?? '') || a.name.localeCompare(b.name);

export async function exportDefinitions(services: DefinitionsServices, vhost?: string): Promise<ExportedDefinitions> {
  const { broker, users } = services;
  if (vhost !== undefined && !broker.hasVhost(vhost)) throw new Error(`no vhost '${vhost}'`);
  const inScope = (v: string) => vhost === undefined || v === vhost;
  const where = (v: string): Record<string, string> => (vhost === undefined ? { vhost: v } : {});

  const policies = broker
    .listPolicies(vhost)
    .sort(byName)
    .map((p) => ({ ...where(p.vhost), name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, definition: plainJson(p.definition), priority: p.priority }));
  const queues = broker
    .listQueues(vhost)
    .filter((q) => !q.exclusive)
    .sort(byName)
    .map((q) => ({ ...where(q.vhost), name: q.name, durable: q.durable, auto_delete: q.autoDelete, arguments: plainJson(q.arguments), type: q.type }));
  const exchanges = broker
    .listExchanges(vhost)
    .filter((e) => e.name !== '' && !e.name.startsWith('amq.'))
    .sort(byName)
    .map((e) => ({
      ...where(e.vhost),
      name: e.name,
      type: e.type,
      durable: e.durable,
      auto_delete: e.autoDelete,
      internal: e.internal,
      arguments: plainJson(e.arguments),
    }));
  const exclusive = new Set(
    broker
      .listQueues(vhost)
      .filter((q) => q.exclusive)
      .map((q) => `${q.vhost}\0${q.name}`),
  );
  const bindings = broker
    .listBindings(vhost)
    .filter((b) => b.source !== '' && !(b.destinationType === 'queue' && exclusive.has(`${b.vhost}\0${b.destination}`)))
    .map((b) => ({
      ...where(b.vhost),
      source: b.source,
      destination: b.destination,
      destination_type: b.destinationType,
      routing_key: b.routingKey,
      arguments: plainJson(b.arguments),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  const head = { rabbit_version: FORMAT_VERSION, rabbitmq_version: FORMAT_VERSION, product_name: 'Warren', product_version: services.version };
  if (vhost !== undefined) return { ...head, parameters: [], policies, queues, exchanges, bindings };

  const userList = (await users.listWithPasswordHashes()).map((u) => ({ name: u.name, ...secretForFile(u.passwordHash), tags: u.tags, limits: {} }));
  const vhosts = broker
    .listVhosts()
    .sort()
    .map((name) => ({ name, limits: [], metadata: { description: '', tags: [] } }));
  const permissions = users.access
    .list()
    .filter((p) => inScope(p.vhost))
    .sort((a, b) => a.user.localeCompare(b.user) || a.vhost.localeCompare(b.vhost))
    .map((p) => ({ user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read }));
  const topicPermissions = (await users.topicPermissions.list())
    .sort((a, b) => a.user.localeCompare(b.user) || a.vhost.localeCompare(b.vhost) || a.exchange.localeCompare(b.exchange))
    .map((t) => ({ user: t.user, vhost: t.vhost, exchange: t.exchange, write: t.write, read: t.read }));
  return {
    ...head,
    users: userList,
    vhosts,
    permissions,
    topic_permissions: topicPermissions,
    parameters: [],
    global_parameters: [],
    policies,
    queues,
    exchanges,
    bindings,
  };
}
