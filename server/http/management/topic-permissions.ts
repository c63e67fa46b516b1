/** /api/topic-permissions: every topic permission, a user's in one vhost, set one exchange's (PUT), clear a user's in a vhost (DELETE). */
import { clearTopicPermissions, setTopicPermission } from '../../api/changes';
import type { TopicPermissionEntry } from '../../auth/topic-permissions';
import { notFound } from './errors';
import { listAnswer } from './pagination';
import { created, noContent, ok, type ApiCall, type Route } from './router';
import { text } from './shapes';

export function topicPermissionJson(t: TopicPermissionEntry): Record<string, unknown> {
  return { user: t.user, vhost: t.vhost, exchange: t.exchange, write: t.write, read: t.read };
}

async function ofUserInVhost({ services, params }: ApiCall<'vhost' | 'user'>): Promise<TopicPermissionEntry[]> {
  const entries = (await services.users.topicPermissions.list()).filter((t) => t.user === params.user && t.vhost === params.vhost);
  if (entries.length === 0) throw notFound(`Not Found: user '${params.user}' has no topic permission in vhost '${params.vhost}'.`);
  return entries;
}

async function put({ services, actor, params, body }: ApiCall<'vhost' | 'user'>) {
  const exchange = text(body, 'exchange');
  const existed = (await services.users.topicPermissions.list()).some((t) => t.user === params.user && t.vhost === params.vhost && t.exchange === exchange);
  await setTopicPermission(actor, { user: params.user, vhost: params.vhost, exchange, write: text(body, 'write'), read: text(body, 'read') });
  return existed ? noContent() : created();
}

async function remove(call: ApiCall<'vhost' | 'user'>) {
  await ofUserInVhost(call);
  await clearTopicPermissions(call.actor, call.params.user, call.params.vhost);
  return noContent();
}

export const topicPermissionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/topic-permissions',
    need: 'admin',
    run: async ({ services, query }) => ok(listAnswer((await services.users.topicPermissions.list()).map(topicPermissionJson), query, { pages: false })),
  },
  {
    method: 'GET',
    path: '/topic-permissions/{vhost}/{user}',
    need: 'admin',
    run: async (call: ApiCall<'vhost' | 'user'>) => ok((await ofUserInVhost(call)).map(topicPermissionJson)),
  },
  { method: 'PUT', path: '/topic-permissions/{vhost}/{user}', need: 'admin', run: put },
  { method: 'DELETE', path: '/topic-permissions/{vhost}/{user}', need: 'admin', run: remove },
];
