/** What Warren holds now, read once per import, keyed the way a definitions file names things. */
import type { PermissionPatterns } from '../broker/access/access-control';
import type { Broker } from '../broker/broker';
import type { ExchangeStats, PolicyInfo, QueueStats } from '../broker/types';
import type { Users } from '../auth/users';
import { canonicalJson } from './json-values';

/** What an import or export reads and changes: the broker and the users (with their permissions). */
export interface DefinitionsServices {
  broker: Broker;
  users: Users;
  /** Warren's version, written as `product_version`. */
  version: string;
}

export interface CurrentState {
  users: Map<string, { tags: string[]; passwordHash: string }>;
  /** `user\0vhost` → patterns */
  permissions: Map<string, PermissionPatterns>;
  /** `user\0vhost\0exchange` → patterns */
  topicPermissions: Map<string, { write: string; read: string }>;
  vhosts: Set<string>;
  /** `vhost\0name` → … */
  policies: Map<string, PolicyInfo>;
  exchanges: Map<string, ExchangeStats>;
  queues: Map<string, QueueStats>;
  /** bindingKey(...) of every binding */
  bindings: Set<string>;
}

export const key = (...parts: string[]) => parts.join('\0');

export function bindingKey(b: { vhost: string; source: string; destination: string; destinationType: string; routingKey: string; arguments: unknown }): string {
  return key(b.vhost, b.source, b.destinationType, b.destination, b.routingKey, canonicalJson(b.arguments));
}

export async function readCurrentState({ broker, users }: DefinitionsServices): Promise<CurrentState> {
  const state: CurrentState = {
    users: new Map(),
    permissions: new Map(),
    topicPermissions: new Map(),
    vhosts: new Set(broker.listVhosts()),
    policies: new Map(),
    exchanges: new Map(),
    queues: new Map(),
    bindings: new Set(),
  };
  for (const u of await users.listWithPasswordHashes()) state.users.set(u.name, { tags: u.tags, passwordHash: u.passwordHash });
  for (const p of users.access.list()) state.permissions.set(key(p.user, p.vhost), { configure: p.configure, write: p.write, read: p.read });
  for (const t of await users.topicPermissions.list()) state.topicPermissions.set(key(t.user, t.vhost, t.exchange), { write: t.write, read: t.read });
  for (const p of broker.listPolicies()) state.policies.set(key(p.vhost, p.name), p);
  for (const e of broker.listExchanges()) state.exchanges.set(key(e.vhost, e.name), e);
  for (const q of broker.listQueues()) state.queues.set(key(q.vhost, q.name), q);
  for (const b of broker.listBindings()) if (b.source !== '') state.bindings.add(bindingKey(b));
  return state;
}
