/**
 * The changes an import makes, one per object it creates, in the order they
 * are made: vhosts, users, permissions, topic permissions, policies,
 * exchanges, queues, bindings (each step's prerequisites come before it).
 */
import type { PermissionPatterns } from '../broker/access/access-control';
import type { PolicyDefinition } from '../broker/policy/policy-definition';
import type { ExchangeType, FieldTable } from '../broker/types';
import type { TopicPermissionEntry } from '../auth/topic-permissions';

export type Change =
  | { type: 'vhost'; name: string }
  | { type: 'user'; name: string; secret: { password: string } | { passwordHash: string }; tags: string[] }
  | { type: 'permission'; user: string; vhost: string; patterns: PermissionPatterns }
  | { type: 'topic permission'; entry: TopicPermissionEntry }
  | { type: 'policy'; vhost: string; policy: PolicyDefinition }
  | {
      type: 'exchange';
      vhost: string;
      name: string;
      exchangeType: ExchangeType;
      durable: boolean;
      autoDelete: boolean;
      internal: boolean;
      arguments: FieldTable;
    }
  | { type: 'queue'; vhost: string; name: string; durable: boolean; autoDelete: boolean; arguments: FieldTable }
  | { type: 'binding'; vhost: string; source: string; destination: string; destinationType: 'queue' | 'exchange'; routingKey: string; arguments: FieldTable };

export const CHANGE_ORDER: readonly Change['type'][] = ['vhost', 'user', 'permission', 'topic permission', 'policy', 'exchange', 'queue', 'binding'];
