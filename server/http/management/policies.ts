/** /api/policies: list, per vhost, one, set (PUT), delete. */
import { deletePolicy, setPolicy } from '../../api/changes';
import type { PolicyTarget } from '../../broker/policy/policy-definition';
import type { PolicyInfo } from '../../broker/types';
import { listAnswer } from './pagination';
import { created, noContent, ok, type ApiCall, type Route } from './router';
import { integer, object, text } from './shapes';

function policyJson(p: Pick<PolicyInfo, 'vhost' | 'name' | 'pattern' | 'applyTo' | 'definition' | 'priority'>): Record<string, unknown> {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, definition: p.definition, priority: p.priority };
}

function list({ services, access, params, query }: ApiCall) {
  return ok(listAnswer(access.visible(services.broker.listPolicies(params.vhost)).map(policyJson), query, { pages: false }));
}

async function put({ actor, params, body }: ApiCall<'vhost' | 'name'>) {
  const { existed } = await setPolicy(actor, params.vhost, {
    name: params.name,
    pattern: text(body, 'pattern'),
    applyTo: text(body, 'apply-to', 'all') as PolicyTarget, // the engine refuses other values, naming the right ones
    priority: integer(body, 'priority', 0),
    definition: object(body, 'definition'),
  });
  return existed ? noContent() : created();
}

export const policyRoutes: Route[] = [
  { method: 'GET', path: '/policies', need: 'read', run: list },
  { method: 'GET', path: '/policies/{vhost}', need: 'read', run: list },
  {
    method: 'GET',
    path: '/policies/{vhost}/{name}',
    need: 'read',
    run: ({ services, params }: ApiCall<'vhost' | 'name'>) => ok(policyJson({ vhost: params.vhost, ...services.broker.policy(params.vhost, params.name) })),
  },
  { method: 'PUT', path: '/policies/{vhost}/{name}', need: 'policy', run: put },
  {
    method: 'DELETE',
    path: '/policies/{vhost}/{name}',
    need: 'policy',
    run: async ({ actor, params }: ApiCall<'vhost' | 'name'>) => (await deletePolicy(actor, params.vhost, params.name), noContent()),
  },
];
