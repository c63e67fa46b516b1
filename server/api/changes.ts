/**
 * Changes made by a person, from the console (tRPC) or the management HTTP
 * API: each is the engine or user-store call with its audit entry, in one
 * place so that both take the same path. Access checks stay with the callers
 * (their own refusals); the wait for the store is each caller's last step.
 */
import { FULL_PERMISSION } from '../auth/users';
import type { TopicPermissionEntry } from '../auth/topic-permissions';
import type { PermissionPatterns } from '../broker/access/access-control';
import type { Broker } from '../broker/broker';
import type { PolicyDefinition } from '../broker/policy/policy-definition';
import type { BindingInfo, Delivery, QueueDeleteOptions } from '../broker/types';
import { importDefinitions } from '../definitions/import';
import type { DefinitionsReport } from '../definitions/report';
import { recordAudit, type AuditActor } from './audit';
import { parseConnectionId } from './connection-rows';
import { withConsoleChannel } from './console-session';

const queueTarget = (vhost: string, name: string) => `queue '${name}' in vhost '${vhost}'`;

/** What deleting a vhost takes with it: its queues (with their messages) and the exchanges made in it (not the built-in ones). */
export function vhostContents(broker: Broker, name: string) {
  const queues = broker.listQueueSummaries(name);
  const exchanges = broker.listExchanges(name).filter((e) => e.name !== '' && !e.name.startsWith('amq.'));
  return { queues: queues.length, messages: queues.reduce((n, q) => n + q.ready + q.unacked, 0), exchanges: exchanges.length };
}

// ---- queues -------------------------------------------------------------------

export async function purgeQueue(actor: AuditActor, vhost: string, name: string): Promise<number> {
  const broker = actor.services.broker;
  // Cluster mode: a queue another node serves is purged there, in one step.
  const purged = await (broker.purgeOnOwner(vhost, name) ?? broker.purgeInSlices(vhost, name, actor.user.name));
  await recordAudit(actor, { action: 'queue.purge', target: queueTarget(vhost, name), details: { purged } });
  return purged;
}

export async function deleteQueue(actor: AuditActor, vhost: string, name: string, options: QueueDeleteOptions): Promise<number> {
  const broker = actor.services.broker;
  const lost = await (broker.deleteOnOwner(vhost, name, options) ?? broker.deleteQueue(vhost, name, options));
  await recordAudit(actor, { action: 'queue.delete', target: queueTarget(vhost, name), details: { messagesLost: lost } });
  return lost;
}

/**
 * Takes up to `count` messages off the head of a queue:
 *   ack      removed for good
 *   requeue  put back in place, marked redelivered
 *   reject   rejected without requeue: dead-lettered when the queue has a dead-letter exchange, else dropped
 */
export async function takeMessages(actor: AuditActor, vhost: string, name: string, count: number, mode: 'ack' | 'requeue' | 'reject'): Promise<Delivery[]> {
  const taken = withConsoleChannel(actor.services, vhost, actor.user.name, (channel) => {
    const out: Delivery[] = [];
    for (let i = 0; i < count; i++) {
      const d = channel.get(name, mode === 'ack');
      if (!d) break;
      out.push(d);
    }
    if (mode === 'reject') for (const d of out) channel.reject(d.deliveryTag, false);
    // In requeue mode the messages stay unacked; closing the console's channel puts them back in place.
    return out;
  });
  if (mode !== 'requeue' && taken.length > 0) {
    await recordAudit(actor, {
      action: mode === 'ack' ? 'queue.get-ack' : 'queue.get-reject',
      target: queueTarget(vhost, name),
      details: { removed: taken.length },
    });
  }
  return taken;
}

// ---- exchanges and bindings ---------------------------------------------------

export async function deleteExchange(actor: AuditActor, vhost: string, name: string, options: { ifUnused?: boolean }): Promise<void> {
  actor.services.broker.deleteExchange(vhost, name, options);
  await recordAudit(actor, { action: 'exchange.delete', target: `exchange '${name}' in vhost '${vhost}'` });
}

const bindingTarget = (b: BindingInfo) =>
  `binding from exchange '${b.source}' to ${b.destinationType} '${b.destination}' with key '${b.routingKey}' in vhost '${b.vhost}'`;

function bind(broker: Broker, b: BindingInfo): void {
  if (b.destinationType === 'queue') broker.bindQueue(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
  else broker.bindExchange(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
}

function unbind(broker: Broker, b: BindingInfo): void {
  if (b.destinationType === 'queue') broker.unbindQueue(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
  else broker.unbindExchange(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
}

export async function addBinding(actor: AuditActor, b: BindingInfo): Promise<void> {
  bind(actor.services.broker, b);
  await recordAudit(actor, { action: 'binding.add', target: bindingTarget(b), details: { arguments: b.arguments } });
}

/**
 * Replaces a binding's key and arguments, recorded as one change. The new
 * binding is made first, so a refused key leaves the old one in place.
 */
export async function updateBinding(actor: AuditActor, old: BindingInfo, next: BindingInfo): Promise<void> {
  const { broker } = actor.services;
  bind(broker, next);
  if (old.routingKey !== next.routingKey || JSON.stringify(old.arguments) !== JSON.stringify(next.arguments)) unbind(broker, old);
  await recordAudit(actor, {
    action: 'binding.update',
    target: bindingTarget(old),
    details: { oldKey: old.routingKey, newKey: next.routingKey, oldArguments: old.arguments, newArguments: next.arguments },
  });
}

export async function removeBinding(actor: AuditActor, b: BindingInfo): Promise<void> {
  unbind(actor.services.broker, b);
  await recordAudit(actor, { action: 'binding.remove', target: bindingTarget(b) });
}

// ---- policies -----------------------------------------------------------------

export async function setPolicy(actor: AuditActor, vhost: string, policy: PolicyDefinition): Promise<{ existed: boolean }> {
  const { broker } = actor.services;
  const existed = broker.listPolicies(vhost).some((p) => p.name === policy.name);
  broker.setPolicy(vhost, policy);
  await recordAudit(actor, {
    action: existed ? 'policy.update' : 'policy.create',
    target: `policy '${policy.name}' in vhost '${vhost}'`,
    details: { pattern: policy.pattern, applyTo: policy.applyTo, priority: policy.priority, definition: policy.definition },
  });
  return { existed };
}

export async function deletePolicy(actor: AuditActor, vhost: string, name: string): Promise<void> {
  actor.services.broker.deletePolicy(vhost, name);
  await recordAudit(actor, { action: 'policy.delete', target: `policy '${name}' in vhost '${vhost}'` });
}

// ---- connections --------------------------------------------------------------

/**
 * Asks a client connection of any node to close (320 with the reason): one of
 * this node at once, another node's (`conn-5@n2`) by that node at its next
 * heartbeat (docs/cluster.md, Connections on every node). Why it is not
 * closed, else null.
 */
export async function closeConnection(actor: AuditActor, shownId: string, reason: string): Promise<string | null> {
  const { id, node } = parseConnectionId(shownId);
  const { broker, cluster } = actor.services;
  if (node === null) {
    if (!broker.closeConnection(id, reason)) return 'it is no longer open';
    await recordAudit(actor, { action: 'connection.close', target: `connection ${id}`, details: { reason } });
    return null;
  }
  const refused = cluster ? await cluster.connections.close(node, id, reason) : 'this Warren is not a cluster';
  if (refused === null) await recordAudit(actor, { action: 'connection.close', target: `connection ${id} on node '${node}'`, details: { reason } });
  return refused;
}

// ---- vhosts, users, permissions -----------------------------------------------

/** A new vhost; the administrator who makes it gets every permission on it, as RabbitMQ's management does. */
export async function createVhost(actor: AuditActor, name: string): Promise<void> {
  const { broker, users } = actor.services;
  broker.createVhost(name);
  await broker.stored(); // its row exists before a permission refers to it
  await users.setPermission(actor.user.name, name, FULL_PERMISSION);
  await recordAudit(actor, { action: 'vhost.create', target: `vhost '${name}'`, details: { permissionFor: actor.user.name } });
}

/** Deletes a vhost with its queues, messages, exchanges, policies and permissions; its connections are closed. */
export async function deleteVhost(actor: AuditActor, name: string): Promise<ReturnType<typeof vhostContents>> {
  const { broker } = actor.services;
  const lost = vhostContents(broker, name);
  broker.deleteVhost(name);
  await recordAudit(actor, { action: 'vhost.delete', target: `vhost '${name}'`, details: lost });
  return lost;
}

export async function createUser(actor: AuditActor, name: string, secret: { password: string } | { passwordHash: string }, tags: string[]): Promise<void> {
  await actor.services.users.create(name, secret, tags);
  await recordAudit(actor, { action: 'user.create', target: `user '${name}'`, details: { tags } });
}

export async function setUserTags(actor: AuditActor, name: string, tags: string[]): Promise<void> {
  await actor.services.users.setTags(name, tags);
  await recordAudit(actor, { action: 'user.set-tags', target: `user '${name}'`, details: { tags } });
}

export async function setUserPassword(actor: AuditActor, name: string, password: string): Promise<void> {
  await actor.services.users.setPassword(name, password);
  await recordAudit(actor, { action: 'user.set-password', target: `user '${name}'` });
}

/** Deletes a user: their permissions go, their AMQP connections are closed (320) and their console sessions end. */
export async function deleteUser(actor: AuditActor, name: string): Promise<void> {
  await actor.services.users.delete(name);
  await recordAudit(actor, { action: 'user.delete', target: `user '${name}'` });
}

export async function setPermission(actor: AuditActor, user: string, vhost: string, patterns: PermissionPatterns): Promise<void> {
  await actor.services.users.setPermission(user, vhost, patterns);
  await recordAudit(actor, { action: 'permission.set', target: `permission of user '${user}' on vhost '${vhost}'`, details: { ...patterns } });
}

/** Removes a permission: the user can no longer open the vhost; what they do next on an open connection is refused. */
export async function clearPermission(actor: AuditActor, user: string, vhost: string): Promise<void> {
  await actor.services.users.clearPermission(user, vhost);
  await recordAudit(actor, { action: 'permission.clear', target: `permission of user '${user}' on vhost '${vhost}'` });
}

/** Sets a user's topic permission on one exchange of a vhost (replacing one there). */
export async function setTopicPermission(actor: AuditActor, entry: TopicPermissionEntry): Promise<void> {
  await actor.services.users.topicPermissions.set(entry);
  await recordAudit(actor, {
    action: 'topic-permission.set',
    target: `topic permission of user '${entry.user}' on exchange '${entry.exchange}' in vhost '${entry.vhost}'`,
    details: { write: entry.write, read: entry.read },
  });
}

/** Removes every topic permission of a user in a vhost; answers how many there were. */
export async function clearTopicPermissions(actor: AuditActor, user: string, vhost: string): Promise<number> {
  const entries = (await actor.services.users.topicPermissions.list()).filter((t) => t.user === user && t.vhost === vhost);
  for (const t of entries) await actor.services.users.topicPermissions.clear(user, vhost, t.exchange);
  if (entries.length > 0) await recordAudit(actor, { action: 'topic-permission.clear', target: `topic permissions of user '${user}' in vhost '${vhost}'` });
  return entries.length;
}

/** Imports a definitions file (all of it or none of it) and records the outcome; answers with the report. */
export async function importDefinitionsFile(actor: AuditActor, text: string, vhost: string | undefined): Promise<DefinitionsReport> {
  const report = await importDefinitions(actor.services, text, { apply: true, vhost });
  await recordAudit(actor, {
    action: 'definitions.import',
    target: vhost === undefined ? 'definitions' : `definitions of vhost '${vhost}'`,
    details: { applied: report.applied, rabbitVersion: report.rabbitVersion, ...report.counts },
  });
  return report;
}
