/**
 * An import's plan: every entry of the file judged against what Warren holds
 * now (created, identical, different, skipped or error), with the change
 * each created one needs. Nothing is changed here.
 */
import type { Change } from './changes';
import { key, readCurrentState, type DefinitionsServices } from './current-state';
import type { DefinitionsFile } from './format';
import { planParameters, planPermissions, planTopicPermissions, planUsers, planVhosts, type Known } from './plan-access';
import { planBindings, planExchanges, planPolicies, planQueues, type SkippedExchanges } from './plan-topology';
import type { ReportLine } from './report';

export interface PlanItem {
  line: ReportLine;
  /** What makes it (`apply`), or, for an existing queue or exchange, the declaration the rehearsal repeats to check it. */
  change?: Change;
  apply?: boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const made = (items: PlanItem[], type: Change['type']) =>
  new Set(items.filter((i) => i.apply && i.change?.type === type).map((i) => (i.change as { name: string }).name));

/** With `vhost`, a per-vhost import: only the vhost's policies, queues, exchanges and bindings are taken, as RabbitMQ does. */
/** The report line's outcome for an entry the file has already given once (plan-access.ts, plan-topology.ts). */
export const APPEARS_TWICE = { outcome: 'error' as const, detail: 'appears twice in the file: keep one' };

export async function planImport(services: DefinitionsServices, file: DefinitionsFile, vhost?: string): Promise<PlanItem[]> {
  const state = await readCurrentState(services);
  let access: PlanItem[];
  if (vhost === undefined) {
    const users = await planUsers(file, state);
    const vhosts = planVhosts(file, state);
    const newUsers = made(users, 'user');
    const newVhosts = made(vhosts, 'vhost');
    const known: Known = { user: (u) => state.users.has(u) || newUsers.has(u), vhost: (v) => state.vhosts.has(v) || newVhosts.has(v) };
    access = [...users, ...vhosts, ...planPermissions(file, state, known), ...planTopicPermissions(file, state, known), ...planParameters(file)];
  } else {
    access = [...planParameters(file), ...outsideVhostImport(file)];
  }
  const vhostWillExist = (v: string) => state.vhosts.has(v) || access.some((i) => i.apply && i.change?.type === 'vhost' && i.change.name === v);
  const skipped: SkippedExchanges = new Set();
  // One section at a time, letting AMQP traffic through between them.
  await yieldToEventLoop();
  const topology = [...planPolicies(file, state), ...planExchanges(file, state, skipped)];
  await yieldToEventLoop();
  topology.push(...planQueues(file, state));
  await yieldToEventLoop();
  const willExist = new Set(
    topology
      .filter((i) => i.change !== undefined && i.line.outcome !== 'error')
      .map((i) => key(i.change!.type, (i.change as { vhost: string }).vhost, (i.change as { name: string }).name)),
  );
  const exists = (v: string, kind: 'queue' | 'exchange', name: string) => services.broker.has(v, kind, name) || willExist.has(key(kind, v, name));
  const bindings = planBindings(file, state, skipped, exists);
  const items = [...access, ...topology, ...bindings];
  for (const item of [...topology, ...bindings]) {
    const v = (item.change as { vhost?: string } | undefined)?.vhost;
    if (v !== undefined && item.line.outcome !== 'error' && !vhostWillExist(v)) {
      item.line = { ...item.line, outcome: 'error', detail: `there is no vhost '${v}' in the file or in Warren: add it to the file, or create it first` };
      item.apply = false;
    }
  }
  return items;
}

/** A per-vhost import leaves users, vhosts and permissions alone. */
function outsideVhostImport(file: DefinitionsFile): PlanItem[] {
  const count = file.users.length + file.vhosts.length + file.permissions.length + file.topic_permissions.length;
  if (count === 0) return [];
  return [
    {
      line: {
        kind: 'file',
        object: 'the file',
        outcome: 'skipped',
        detail: `${count} users, vhosts and permissions left out: an import into one vhost takes only its policies, exchanges, queues and bindings`,
      },
    },
  ];
}
