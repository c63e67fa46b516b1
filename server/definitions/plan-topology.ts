/**
 * Planning the topology half of a file: policies, exchanges, queues and
 * bindings. Existing exchanges and queues are declared again in the
 * rehearsal (rehearse.ts), so that a conflict with what exists is the
 * engine's own 406, as an AMQP redeclare would get; what the engine accepts
 * but differs (arguments it does not compare) is reported and left as it is.
 */
import { policyKeys, type PolicyTarget } from '../broker/policy/policy-definition';
import type { ExchangeType, FieldTable } from '../broker/types';
import type { DefinitionsFile } from './format';
import { bindingKey, key, type CurrentState } from './current-state';
import { differingKeys } from './json-values';
import { objectName } from './names';
import { APPEARS_TWICE, type PlanItem } from './plan';

const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers'] as const satisfies readonly ExchangeType[];
const POLICY_TARGETS: readonly string[] = ['queues', 'exchanges', 'all'] satisfies PolicyTarget[];

export function planPolicies(file: DefinitionsFile, state: CurrentState): PlanItem[] {
  const seen = new Set<string>();
  return file.policies.map((p): PlanItem => {
    const vhost = p.vhost as string;
    const line = { kind: 'policy' as const, object: objectName('policies', p) };
    if (seen.has(key(vhost, p.name))) return { line: { ...line, ...APPEARS_TWICE } };
    seen.add(key(vhost, p.name));
    // Keys Warren's policies do not have (ha-mode, queue-mode, federation-upstream…) are left out; the engine judges the rest.
    const accepted = POLICY_TARGETS.includes(p['apply-to']) ? policyKeys(p['apply-to'] as PolicyTarget) : null;
    const definition: Record<string, unknown> = {};
    const dropped: string[] = [];
    for (const [k, v] of Object.entries(p.definition)) {
      if (accepted === null || accepted.includes(k)) definition[k] = v;
      else dropped.push(k);
    }
    const note =
      dropped.length === 0
        ? undefined
        : `${dropped.map((k) => `'${k}'`).join(', ')} left out: Warren's policies for ${p['apply-to']} take ${accepted?.join(', ')}`;
    if (Object.keys(definition).length === 0) return { line: { ...line, outcome: 'skipped', detail: `nothing Warren has: ${note}` } };
    const policy = { name: p.name, pattern: p.pattern, applyTo: p['apply-to'] as PolicyTarget, priority: p.priority, definition };
    const existing = state.policies.get(key(vhost, p.name));
    if (existing === undefined) return { line: { ...line, outcome: 'created', detail: note }, change: { type: 'policy', vhost, policy }, apply: true };
    const differences: string[] = [];
    if (existing.pattern !== policy.pattern) differences.push(`pattern '${existing.pattern}' in Warren, '${policy.pattern}' in the file`);
    if (existing.applyTo !== policy.applyTo) differences.push(`apply-to ${existing.applyTo} in Warren, ${policy.applyTo} in the file`);
    if (existing.priority !== policy.priority) differences.push(`priority ${existing.priority} in Warren, ${policy.priority} in the file`);
    const keys = differingKeys(existing.definition, definition);
    if (keys.length > 0) differences.push(`definition differs in ${keys.join(', ')}`);
    if (differences.length === 0) return { line: { ...line, outcome: 'identical', detail: note } };
    return {
      line: { ...line, outcome: 'different', detail: `${differences.join('; ')}: kept as it is in Warren (edit it on the Policies page if the file is right)` },
    };
  });
}

/** Exchanges left out because Warren lacks their type, as `vhost\0name`: their bindings are left out too. */
export type SkippedExchanges = Set<string>;

export function planExchanges(file: DefinitionsFile, state: CurrentState, skipped: SkippedExchanges): PlanItem[] {
  const seen = new Set<string>();
  return file.exchanges.map((e): PlanItem => {
    const vhost = e.vhost as string;
    const line = { kind: 'exchange' as const, object: objectName('exchanges', e) };
    if (seen.has(key(vhost, e.name))) return { line: { ...line, ...APPEARS_TWICE } };
    seen.add(key(vhost, e.name));
    if (!(EXCHANGE_TYPES as readonly string[]).includes(e.type)) {
      skipped.add(key(vhost, e.name));
      return {
        line: {
          ...line,
          outcome: 'skipped',
          detail: `type '${e.type}' is a RabbitMQ plugin's; Warren has ${EXCHANGE_TYPES.join(', ')} exchanges (its bindings are left out too)`,
        },
      };
    }
    const change = {
      type: 'exchange' as const,
      vhost,
      name: e.name,
      exchangeType: e.type as ExchangeType,
      durable: e.durable,
      autoDelete: e.auto_delete,
      internal: e.internal,
      arguments: e.arguments as FieldTable,
    };
    const existing = state.exchanges.get(key(vhost, e.name));
    if (existing === undefined) return { line: { ...line, outcome: 'created' }, change, apply: true };
    const keys = differingKeys(existing.arguments, e.arguments);
    return {
      line:
        keys.length === 0
          ? { ...line, outcome: 'identical' }
          : { ...line, outcome: 'different', detail: `arguments ${keys.join(', ')} differ: kept as they are in Warren` },
      change,
      apply: false,
    };
  });
}

export function planQueues(file: DefinitionsFile, state: CurrentState): PlanItem[] {
  const seen = new Set<string>();
  return file.queues.map((q): PlanItem => {
    const vhost = q.vhost as string;
    const line = { kind: 'queue' as const, object: objectName('queues', q) };
    if (seen.has(key(vhost, q.name))) return { line: { ...line, ...APPEARS_TWICE } };
    seen.add(key(vhost, q.name));
    const args: FieldTable = { ...q.arguments };
    // RabbitMQ 3.10+ also writes the type beside the arguments; a queue it made quorum by a vhost default has it only there.
    if (q.type !== undefined && q.type !== 'classic' && args['x-queue-type'] === undefined) args['x-queue-type'] = q.type;
    const change = { type: 'queue' as const, vhost, name: q.name, durable: q.durable, autoDelete: q.auto_delete, arguments: args };
    const existing = state.queues.get(key(vhost, q.name));
    if (existing === undefined) return { line: { ...line, outcome: 'created' }, change, apply: true };
    const keys = differingKeys(existing.arguments, args);
    return {
      line:
        keys.length === 0
          ? { ...line, outcome: 'identical' }
          : { ...line, outcome: 'different', detail: `arguments ${keys.join(', ')} differ: kept as they are in Warren` },
      change,
      apply: false,
    };
  });
}

/** Whether a queue or exchange will be there: in Warren now, or made by this import. */
export type Exists = (vhost: string, kind: 'queue' | 'exchange', name: string) => boolean;

export function planBindings(file: DefinitionsFile, state: CurrentState, skipped: SkippedExchanges, exists: Exists): PlanItem[] {
  const seen = new Set<string>();
  return file.bindings.map((b): PlanItem => {
    const vhost = b.vhost as string;
    const line = { kind: 'binding' as const, object: objectName('bindings', b) };
    const change = {
      type: 'binding' as const,
      vhost,
      source: b.source,
      destination: b.destination,
      destinationType: b.destination_type,
      routingKey: b.routing_key,
      arguments: b.arguments as FieldTable,
    };
    const id = bindingKey(change);
    if (seen.has(id)) return { line: { ...line, ...APPEARS_TWICE } };
    seen.add(id);
    for (const [kind, name] of [
      ['exchange', b.source],
      [b.destination_type, b.destination],
    ] as const) {
      if (kind === 'exchange' && skipped.has(key(vhost, name))) {
        return { line: { ...line, outcome: 'skipped', detail: `exchange '${name}' is left out (see above)` } };
      }
      if (name !== '' && !name.startsWith('amq.') && !exists(vhost, kind, name)) {
        const internal = kind === 'exchange' ? ' (RabbitMQ leaves internal exchanges out of its exports: declare it, then import the file again)' : '';
        return { line: { ...line, outcome: 'skipped', detail: `there is no ${kind} '${name}' in the file or in Warren${internal}` } };
      }
    }
    if (state.bindings.has(id)) return { line: { ...line, outcome: 'identical' } };
    return { line: { ...line, outcome: 'created' }, change, apply: true };
  });
}
