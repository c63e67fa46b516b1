// Who may do what in which vhost, decided as RabbitMQ's internal backend does:
// a user holds, per vhost, three patterns over resource names — configure
// (declare, delete), write (publish to, bind to) and read (consume, get, purge,
// bind from). A user without an entry for a vhost may not open it at all.
// Patterns match unanchored; an empty pattern means `^$` (nothing but an
// empty name); the default exchange is checked under the name `amq.default`.
// Changes apply to the next operation: nothing is cached per connection.

import { BrokerError, resourceName } from '../errors';
import { compileUserPattern, type UserPattern } from '../patterns/user-pattern';
import { checksFor, type GuardedOperation, type PermissionKind, type ResourceKind } from './operation-permissions';
import { TopicAccess } from './topic-access';

export type { GuardedOperation, PermissionKind, ResourceKind } from './operation-permissions';
export type { TopicPatterns, TopicPermissionKind } from './topic-access';

export interface PermissionPatterns {
  configure: string;
  write: string;
  read: string;
}

export interface PermissionEntry extends PermissionPatterns {
  user: string;
  vhost: string;
}

type Grant = { patterns: PermissionPatterns } & Record<PermissionKind, UserPattern>;

const KINDS: readonly PermissionKind[] = ['configure', 'write', 'read'];

/** The name a resource is matched and reported under: the default exchange is `amq.default`. */
function checkedName(kind: ResourceKind, name: string): string {
  return kind === 'exchange' && name === '' ? 'amq.default' : name;
}

/** Compiles the three patterns of one permission; 406 naming the first bad one. */
export function compilePermission(patterns: PermissionPatterns): Grant {
  const grant = { patterns: { ...patterns } } as Grant;
  for (const kind of KINDS) grant[kind] = compileUserPattern(patterns[kind] === '' ? '^$' : patterns[kind], `${kind} permission pattern`);
  return grant;
}

export class AccessControl {
  /** user → vhost → compiled patterns */
  private readonly grants = new Map<string, Map<string, Grant>>();
  /** Users that may do everything in every vhost and are never listed: other nodes' links (cluster mode). */
  private readonly internal = new Set<string>();
  /** Topic permissions, checked on topic exchanges besides the patterns above. */
  readonly topics = new TopicAccess();

  /** Sets (or replaces) a user's permission on a vhost. 406 when a pattern does not compile. */
  set(user: string, vhost: string, patterns: PermissionPatterns): void {
    const grant = compilePermission(patterns);
    let byVhost = this.grants.get(user);
    if (!byVhost) this.grants.set(user, (byVhost = new Map()));
    byVhost.set(vhost, grant);
  }

  /** Lets an internal user (another node's link) do everything in every vhost, without a permission anyone sees or exports. */
  allowEverywhere(user: string): void {
    this.internal.add(user);
  }

  /** Removes a user's permission on a vhost; true when there was one. */
  clear(user: string, vhost: string): boolean {
    const byVhost = this.grants.get(user);
    const removed = byVhost?.delete(vhost) ?? false;
    if (byVhost?.size === 0) this.grants.delete(user);
    return removed;
  }

  forgetUser(user: string): void {
    this.grants.delete(user);
    this.topics.forgetUser(user);
  }

  forgetVhost(vhost: string): void {
    for (const user of [...this.grants.keys()]) this.clear(user, vhost);
    this.topics.forgetVhost(vhost);
  }

  get(user: string, vhost: string): PermissionPatterns | undefined {
    return this.grants.get(user)?.get(vhost)?.patterns;
  }

  /** The vhosts a user has a permission on. */
  vhostsOf(user: string): string[] {
    return [...(this.grants.get(user)?.keys() ?? [])];
  }

  list(): PermissionEntry[] {
    const out: PermissionEntry[] = [];
    for (const [user, byVhost] of this.grants) for (const [vhost, grant] of byVhost) out.push({ user, vhost, ...grant.patterns });
    return out;
  }

  /** connection.open: 530 NOT_ALLOWED (connection scope) without a permission on the vhost. */
  checkVhost(user: string, vhost: string): void {
    if (!this.internal.has(user) && !this.grants.get(user)?.has(vhost)) {
      throw new BrokerError('NOT_ALLOWED', `access to vhost '${vhost}' refused for user '${user}'`, 'connection');
    }
  }

  allows(user: string, vhost: string, permission: PermissionKind, kind: ResourceKind, name: string): boolean {
    if (this.internal.has(user)) return true;
    const grant = this.grants.get(user)?.get(vhost);
    return grant !== undefined && grant[permission].test(checkedName(kind, name));
  }

  /** 403 ACCESS_REFUSED (channel scope) in RabbitMQ's words when the user's pattern does not match. */
  check(user: string, vhost: string, permission: PermissionKind, kind: ResourceKind, name: string): void {
    if (this.allows(user, vhost, permission, kind, name)) return;
    throw new BrokerError('ACCESS_REFUSED', `${permission} access to ${resourceName(kind, checkedName(kind, name), vhost)} refused for user '${user}'`);
  }

  /** Every check an AMQP operation needs, in RabbitMQ's order; `exists` tells whether a resource is there already. */
  authorize(user: string, vhost: string, operation: GuardedOperation, exists: (kind: ResourceKind, name: string) => boolean): void {
    for (const [permission, kind, name] of checksFor(operation, exists)) this.check(user, vhost, permission, kind, name);
  }
}
