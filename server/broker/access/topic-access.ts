// RabbitMQ's topic permissions: per user, vhost and topic exchange, a write
// pattern (publishing) and a read pattern (binding from the exchange) over
// routing keys. They narrow the ordinary permissions on topic exchanges only;
// a user without an entry for an exchange is not restricted by it. As in
// RabbitMQ, `{username}` and `{vhost}` in a pattern stand for the user's name
// and the vhost, patterns match unanchored, and an empty pattern means `^$`.

import { BrokerError } from '../errors';
import { compileUserPattern, type UserPattern } from '../patterns/user-pattern';

export type TopicPermissionKind = 'write' | 'read';

export interface TopicPatterns {
  write: string;
  read: string;
}

type TopicGrant = Record<TopicPermissionKind, UserPattern>;

/** The pattern as RabbitMQ applies it for this user in this vhost. */
function expand(pattern: string, user: string, vhost: string): string {
  if (pattern === '') return '^$';
  return pattern.replaceAll('{username}', user).replaceAll('{vhost}', vhost);
}

/** 406 naming the bad pattern when one does not compile. */
export function compileTopicPatterns(patterns: TopicPatterns, user: string, vhost: string): TopicGrant {
  return {
    write: compileUserPattern(expand(patterns.write, user, vhost), 'topic permission write pattern'),
    read: compileUserPattern(expand(patterns.read, user, vhost), 'topic permission read pattern'),
  };
}

export class TopicAccess {
  /** "user\0vhost" → exchange → compiled patterns */
  private readonly grants = new Map<string, Map<string, TopicGrant>>();

  set(user: string, vhost: string, exchange: string, patterns: TopicPatterns): void {
    const grant = compileTopicPatterns(patterns, user, vhost);
    const key = `${user}\0${vhost}`;
    let byExchange = this.grants.get(key);
    if (!byExchange) this.grants.set(key, (byExchange = new Map()));
    byExchange.set(exchange, grant);
  }

  clear(user: string, vhost: string, exchange: string): void {
    const key = `${user}\0${vhost}`;
    const byExchange = this.grants.get(key);
    byExchange?.delete(exchange);
    if (byExchange?.size === 0) this.grants.delete(key);
  }

  forgetUser(user: string): void {
    for (const key of [...this.grants.keys()]) if (key.startsWith(`${user}\0`)) this.grants.delete(key);
  }

  forgetVhost(vhost: string): void {
    for (const key of [...this.grants.keys()]) if (key.endsWith(`\0${vhost}`)) this.grants.delete(key);
  }

  /** Whether the user has any topic permission in the vhost: when not, nothing needs checking. */
  restricts(user: string, vhost: string): boolean {
    return this.grants.has(`${user}\0${vhost}`);
  }

  /** 403 ACCESS_REFUSED in RabbitMQ's words when the routing key does not match the user's pattern for the (topic) exchange. */
  check(user: string, vhost: string, exchange: string, permission: TopicPermissionKind, routingKey: string): void {
    const grant = this.grants.get(`${user}\0${vhost}`)?.get(exchange);
    if (grant === undefined || grant[permission].test(routingKey)) return;
    throw new BrokerError('ACCESS_REFUSED', `access to topic '${routingKey}' in exchange '${exchange}' in vhost '${vhost}' refused for user '${user}'`);
  }
}
