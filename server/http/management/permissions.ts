/** /api/permissions: every user × vhost permission, one, set (PUT), clear (DELETE); a user's permissions. */
import { clearPermission, setPermission } from '../../api/changes';
import type { PermissionEntry } from '../../broker/access/access-control';
import { notFound } from './errors';
import { listAnswer } from './pagination';
import { created, noContent, ok, type ApiCall, type Route } from './router';
import { text } from './shapes';

export function permissionJson(p: PermissionEntry): Record<string, unknown> {
  return { user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read };
}

function one({ services, params }: ApiCall<'vhost' | 'user'>): PermissionEntry {
  const patterns = services.users.access.get(params.user, params.vhost);
  if (!patterns) throw notFound(`Not Found: user '${params.user}' has no permission on vhost '${params.vhost}'.`);
  return { user: params.user, vhost: params.vhost, ...patterns };
}

async function put({ services, actor, params, body }: ApiCall<'vhost' | 'user'>) {
  if (!services.broker.hasVhost(params.vhost)) throw notFound(`Not Found: no vhost '${params.vhost}'.`);
  const existed = services.users.access.get(params.user, params.vhost) !== undefined;
  await setPermission(actor, params.user, params.vhost, { configure: text(body, 'configure'), write: text(body, 'write'), read: text(body, 'read') });
  return existed ? noContent() : created();
}

async function remove(call: ApiCall<'vhost' | 'user'>) {
  one(call);
  await clearPermission(call.actor, call.params.user, call.params.vhost);
  return noContent();
}

export const permissionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/permissions',
    need: 'admin',
    run: ({ services, query }) => ok(listAnswer(services.users.access.list().map(permissionJson), query, { pages: false })),
  },
  { method: 'GET', path: '/permissions/{vhost}/{user}', need: 'admin', run: (call: ApiCall<'vhost' | 'user'>) => ok(permissionJson(one(call))) },
  { method: 'PUT', path: '/permissions/{vhost}/{user}', need: 'admin', run: put },
  { method: 'DELETE', path: '/permissions/{vhost}/{user}', need: 'admin', run: remove },
];
