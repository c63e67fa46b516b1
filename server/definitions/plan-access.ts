/**
 * Planning the access half of a file: users, vhosts, permissions, topic
 * permissions, and the parameters Warren skips. Each entry becomes a report
 * line and, when Warren lacks it, the change that makes it. What exists with
 * other settings is left as it is (an import never overwrites).
 */
import { compilePermission } from '../broker/access/access-control';
import { compileUserPattern } from '../broker/patterns/user-pattern';
import { shortStringProblem } from '../broker/short-string';
import { USER_TAGS } from '../auth/users';
import { verifyPassword } from '../auth/passwords';
import type { DefinitionsFile } from './format';
import { key, type CurrentState } from './current-state';
import { objectName } from './names';
import { secretFromFile } from './password-hashes';
import { APPEARS_TWICE, type PlanItem } from './plan';

const refused = (error: unknown) => (error instanceof Error ? error.message.replace(/^PRECONDITION_FAILED - /, '') : String(error));

/** RabbitMQ 3.x writes tags as a list; older files as "a,b". */
function tagList(tags: string | string[] | undefined): string[] {
  const list = typeof tags === 'string' ? tags.split(',') : (tags ?? []);
  return list.map((t) => t.trim()).filter((t) => t !== '');
}

export async function planUsers(file: DefinitionsFile, state: CurrentState): Promise<PlanItem[]> {
  const items: PlanItem[] = [];
  const seen = new Set<string>();
  for (const user of file.users) {
    const line = { kind: 'user' as const, object: objectName('users', user) };
    if (seen.has(user.name)) {
      items.push({ line: { ...line, ...APPEARS_TWICE } });
      continue;
    }
    seen.add(user.name);
    if (user.name === '') {
      items.push({ line: { ...line, outcome: 'error', detail: 'has an empty name: give it one' } });
      continue;
    }
    const secret = secretFromFile(user);
    if (!secret.ok) {
      items.push({ line: { ...line, outcome: 'error', detail: secret.problem } });
      continue;
    }
    const all = tagList(user.tags);
    const tags = all.filter((t) => (USER_TAGS as readonly string[]).includes(t));
    const dropped = all.filter((t) => !tags.includes(t));
    const notes =
      dropped.length === 0
        ? []
        : [`tag${dropped.length > 1 ? 's' : ''} ${dropped.map((t) => `'${t}'`).join(', ')} left out: Warren's tags are ${USER_TAGS.join(', ')}`];
    if (Object.keys(user.limits ?? {}).length > 0) notes.push('user limits are not kept: Warren has none');
    const existing = state.users.get(user.name);
    if (existing === undefined) {
      items.push({
        line: { ...line, outcome: 'created', detail: notes.join('; ') || undefined },
        change: { type: 'user', name: user.name, secret: secret.secret, tags },
        apply: true,
      });
      continue;
    }
    const differences: string[] = [];
    if ([...existing.tags].sort().join(',') !== [...tags].sort().join(','))
      differences.push(`tags are ${existing.tags.join(', ') || 'none'} in Warren, ${tags.join(', ') || 'none'} in the file`);
    const samePassword =
      'password' in secret.secret ? await verifyPassword(secret.secret.password, existing.passwordHash) : existing.passwordHash === secret.secret.passwordHash;
    if (!samePassword) differences.push('the password differs');
    items.push({
      line:
        differences.length === 0
          ? { ...line, outcome: 'identical' }
          : { ...line, outcome: 'different', detail: `${differences.join('; ')}: kept as it is in Warren (change it on the Users page if the file is right)` },
    });
  }
  return items;
}

export function planVhosts(file: DefinitionsFile, state: CurrentState): PlanItem[] {
  const seen = new Set<string>();
  return file.vhosts.map((vhost): PlanItem => {
    const line = { kind: 'vhost' as const, object: objectName('vhosts', vhost) };
    if (seen.has(vhost.name)) return { line: { ...line, ...APPEARS_TWICE } };
    seen.add(vhost.name);
    const problem = vhost.name === '' ? 'is empty' : shortStringProblem(vhost.name);
    if (problem !== null) return { line: { ...line, outcome: 'error', detail: `the name ${problem}: rename it in the file` } };
    if (state.vhosts.has(vhost.name)) return { line: { ...line, outcome: 'identical' } };
    const notes: string[] = [];
    const description = vhost.description ?? vhost.metadata?.description ?? '';
    const tags = tagList(vhost.tags ?? vhost.metadata?.tags);
    if (description !== '' || tags.length > 0) notes.push("its description and tags are not kept: Warren's vhosts have none");
    const queueType = vhost.default_queue_type ?? vhost.metadata?.default_queue_type;
    if (queueType !== undefined && queueType !== 'classic')
      notes.push(`default queue type '${queueType}' is not kept: a queue declared without x-queue-type is classic in Warren`);
    if (Object.keys(vhost.limits ?? {}).length > 0) notes.push('vhost limits are not kept: Warren has none');
    return { line: { ...line, outcome: 'created', detail: notes.join('; ') || undefined }, change: { type: 'vhost', name: vhost.name }, apply: true };
  });
}

/** Users and vhosts that will exist once the planned changes are made. */
export interface Known {
  user(name: string): boolean;
  vhost(name: string): boolean;
}

export function planPermissions(file: DefinitionsFile, state: CurrentState, known: Known): PlanItem[] {
  const seen = new Set<string>();
  return file.permissions.map((p): PlanItem => {
    const line = { kind: 'permission' as const, object: objectName('permissions', p) };
    const id = key(p.user, p.vhost);
    if (seen.has(id)) return { line: { ...line, ...APPEARS_TWICE } };
    seen.add(id);
    const missing = missingParts(p, known);
    if (missing !== null) return { line: { ...line, outcome: 'error', detail: missing } };
    const patterns = { configure: p.configure, write: p.write, read: p.read };
    try {
      compilePermission(patterns);
    } catch (error) {
      return { line: { ...line, outcome: 'error', detail: `${refused(error)}: correct the pattern in the file` } };
    }
    const existing = state.permissions.get(id);
    if (existing === undefined)
      return { line: { ...line, outcome: 'created' }, change: { type: 'permission', user: p.user, vhost: p.vhost, patterns }, apply: true };
    const differing = (['configure', 'write', 'read'] as const).filter((k) => existing[k] !== patterns[k]);
    if (differing.length === 0) return { line: { ...line, outcome: 'identical' } };
    return {
      line: {
        ...line,
        outcome: 'different',
        detail: `${differing.map((k) => `${k} is '${existing[k]}' in Warren, '${patterns[k]}' in the file`).join('; ')}: kept as it is in Warren`,
      },
    };
  });
}

const NOT_ENFORCED = 'kept, but Warren does not enforce topic permissions yet';

export function planTopicPermissions(file: DefinitionsFile, state: CurrentState, known: Known): PlanItem[] {
  const seen = new Set<string>();
  return file.topic_permissions.map((t): PlanItem => {
    const line = { kind: 'topic permission' as const, object: objectName('topic_permissions', t) };
    const id = key(t.user, t.vhost, t.exchange);
    if (seen.has(id)) return { line: { ...line, ...APPEARS_TWICE } };
    seen.add(id);
    const missing = missingParts(t, known);
    if (missing !== null) return { line: { ...line, outcome: 'error', detail: missing } };
    try {
      compileUserPattern(t.write, 'write pattern');
      compileUserPattern(t.read, 'read pattern');
    } catch (error) {
      return { line: { ...line, outcome: 'error', detail: `${refused(error)}: correct the pattern in the file` } };
    }
    const existing = state.topicPermissions.get(id);
    const entry = { user: t.user, vhost: t.vhost, exchange: t.exchange, write: t.write, read: t.read };
    if (existing === undefined)
      return { line: { ...line, outcome: 'created', detail: NOT_ENFORCED }, change: { type: 'topic permission', entry }, apply: true };
    if (existing.write === t.write && existing.read === t.read) return { line: { ...line, outcome: 'identical', detail: NOT_ENFORCED } };
    return { line: { ...line, outcome: 'different', detail: `write '${existing.write}', read '${existing.read}' in Warren: kept as it is (${NOT_ENFORCED})` } };
  });
}

function missingParts(p: { user: string; vhost: string }, known: Known): string | null {
  if (!known.user(p.user)) return `there is no user '${p.user}' in the file or in Warren: add the user to the file, or remove this entry`;
  if (!known.vhost(p.vhost)) return `there is no vhost '${p.vhost}' in the file or in Warren: add the vhost to the file, or remove this entry`;
  return null;
}

/** Runtime parameters belong to RabbitMQ's plugins (federation, shovel, limits, MQTT…): nothing in Warren takes them. */
export function planParameters(file: DefinitionsFile): PlanItem[] {
  return [
    ...file.parameters.map(
      (p): PlanItem => ({
        line: {
          kind: 'parameter',
          object: objectName('parameters', p),
          outcome: 'skipped',
          detail: `runtime parameters of '${p.component}' are settings of a RabbitMQ plugin; Warren has no counterpart, so it is not imported`,
        },
      }),
    ),
    ...file.global_parameters.map(
      (p): PlanItem => ({
        line: {
          kind: 'global parameter',
          object: objectName('global_parameters', p),
          outcome: 'skipped',
          detail: 'global runtime parameters are RabbitMQ node settings; Warren has no counterpart, so it is not imported',
        },
      }),
    ),
  ];
}
