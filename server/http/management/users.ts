/** /api/users: list, one, create or update (PUT), delete; /api/users/{name}/permissions. */
import { createUser, deleteUser, setUserPassword, setUserTags } from '../../api/changes';
import { importedRabbitHash, RABBIT_HASHING, type RabbitHashing } from '../../auth/passwords';
import type { UserInfo } from '../../auth/users';
import { badRequest, notFound } from './errors';
import { listAnswer } from './pagination';
import { permissionJson } from './permissions';
import { created, noContent, ok, type ApiCall, type Route } from './router';

/** Without password_hash: Warren does not hand out password hashes over the API. */
function userJson(u: UserInfo): Record<string, unknown> {
  return { name: u.name, tags: u.tags, hashing_algorithm: u.hashing, limits: {} };
}

/** RabbitMQ takes tags as "a,b" or as a list. */
function tagsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((t) => typeof t === 'string')) return value.map((t) => t.trim()).filter(Boolean);
  if (typeof value === 'string')
    return value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  throw badRequest('tags must be text such as "management,policymaker" or a list of tags.');
}

async function find({ services, params }: ApiCall): Promise<UserInfo> {
  const found = (await services.users.list()).find((u) => u.name === params.name);
  if (!found) throw notFound(`Not Found: no user '${params.name}'.`);
  return found;
}

/** A password, or a RabbitMQ hash with its hashing_algorithm (as definitions carry them). */
function secretOf(body: Record<string, unknown>): { password: string } | { passwordHash: string } | null {
  if (typeof body.password === 'string') return { password: body.password };
  if (typeof body.password_hash === 'string') {
    const algorithm = (body.hashing_algorithm ?? 'rabbit_password_hashing_sha256') as string;
    if (!(algorithm in RABBIT_HASHING))
      throw badRequest(`hashing_algorithm '${algorithm}' is not one Warren reads: use ${Object.keys(RABBIT_HASHING).join(' or ')}.`);
    return { passwordHash: importedRabbitHash(algorithm as RabbitHashing, body.password_hash) };
  }
  return null;
}

/** Creates the user, or sets the tags and the password (each when given) of one that exists. */
async function put({ services, actor, params, body }: ApiCall<'name'>) {
  const tags = tagsOf(body.tags);
  const secret = secretOf(body);
  if (services.users.get(params.name) === null) {
    if (secret === null)
      throw badRequest('Give a password (or password_hash with hashing_algorithm) for the new user, e.g. {"password": "...", "tags": "management"}.');
    await createUser(actor, params.name, secret, tags);
    return created();
  }
  if (body.tags !== undefined) await setUserTags(actor, params.name, tags);
  if (secret !== null && 'password' in secret) await setUserPassword(actor, params.name, secret.password);
  else if (secret !== null) throw badRequest('An existing user\'s password is changed with "password"; a hash is taken only when the user is created.');
  return noContent();
}

async function remove(call: ApiCall<'name'>) {
  await find(call);
  await deleteUser(call.actor, call.params.name);
  return noContent();
}

export const userRoutes: Route[] = [
  {
    method: 'GET',
    path: '/users',
    need: 'admin',
    run: async ({ services, query }) => ok(listAnswer((await services.users.list()).map(userJson), query, { pages: false })),
  },
  { method: 'GET', path: '/users/{name}', need: 'admin', run: async (call) => ok(userJson(await find(call))) },
  { method: 'PUT', path: '/users/{name}', need: 'admin', run: put },
  { method: 'DELETE', path: '/users/{name}', need: 'admin', run: remove },
  {
    method: 'GET',
    path: '/users/{name}/permissions',
    need: 'admin',
    run: async (call) => {
      await find(call);
      return ok(
        call.services.users.access
          .list()
          .filter((p) => p.user === call.params.name)
          .map(permissionJson),
      );
    },
  },
];
