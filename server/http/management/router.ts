/**
 * The management HTTP API under /api/ (RabbitMQ's paths): finds the route,
 * authenticates the caller with basic auth, checks the route's need against
 * the caller's tags and vhost permissions (the console's rules), reads the
 * JSON body, runs the handler and answers JSON, or RabbitMQ's
 * {"error", "reason"} with its status. A change is answered once it is on
 * disk, as the console's are.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusals, type ConsoleAccess } from '../../api/console-access';
import type { AuditActor } from '../../api/audit';
import type { SignedInUser } from '../../auth/users';
import type { Services } from '../../services';
import { authenticate, REALM } from './basic-auth';
import { apiErrorOf, ApiError, badRequest, notAuthorised, notFound } from './errors';

/**
 * What a route needs of its caller, checked against the `vhost` of its path when it has one:
 *   read     any console tag; the vhost must be one the user sees
 *   monitor  sees every vhost (monitoring, administrator)
 *   change   the management tag and a permission on the vhost
 *   policy   the policymaker tag and a permission on the vhost
 *   admin    the administrator tag
 */
export type Need = 'read' | 'monitor' | 'change' | 'policy' | 'admin';

/**
 * One call of a handler. `Param` names the path {placeholders} the handler
 * reads as always there: every path it serves in a route table has them.
 */
export interface ApiCall<Param extends string = never> {
  services: Services;
  user: SignedInUser;
  access: ConsoleAccess;
  /** Who the audit trail names for a change. */
  actor: AuditActor;
  /** The path's {placeholders}, decoded. */
  params: Record<Param, string> & Partial<Record<string, string>>;
  query: URLSearchParams;
  /** The JSON body ({} when none was sent). */
  body: Record<string, unknown>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** e.g. '/queues/{vhost}/{name}', below /api. */
  path: string;
  need: Need;
  run(call: ApiCall): Reply | Promise<Reply>;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (headers?: Record<string, string>): Reply => ({ status: 201, headers });
export const noContent = (): Reply => ({ status: 204 });

/** Decoded path segments below /api: "/queues/%2F/a%20b" → ["queues", "/", "a b"]. */
function segments(pathname: string): string[] | null {
  try {
    return pathname
      .slice('/api/'.length)
      .split('/')
      .filter((s, i, all) => s !== '' || i < all.length - 1)
      .map(decodeURIComponent);
  } catch {
    return null;
  }
}

function match(route: Route, parts: string[]): Record<string, string> | null {
  const pattern = route.path.slice(1).split('/');
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!; // pattern and parts have the same length, checked above
    if (p.startsWith('{')) params[p.slice(1, -1)] = parts[i]!;
    else if (p !== parts[i]) return null;
  }
  return params;
}

export function requireNeed(need: Need, access: ConsoleAccess, vhost: string | undefined): void {
  const { user } = access;
  switch (need) {
    case 'read':
      if (vhost !== undefined && !access.canSee(vhost)) throw notAuthorised(refusals.noPermission(user, vhost));
      return;
    case 'monitor':
      if (!access.seesAll) throw notAuthorised(refusals.notAllVhosts());
      return;
    case 'change':
      if (!access.changes) throw notAuthorised(refusals.onlyLooks(user));
      if (vhost !== undefined && !access.canChange(vhost)) throw notAuthorised(refusals.noPermission(user, vhost));
      return;
    case 'policy':
      if (vhost === undefined || !access.canSetPolicies(vhost)) throw notAuthorised(refusals.noPolicies(user, vhost));
      return;
    case 'admin':
      if (!access.isAdministrator) throw notAuthorised(refusals.notAdministrator(user));
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`not_json: the body is not JSON (${(error as Error).message}); send a JSON object, e.g. {"durable": true}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('not_json: the body must be a JSON object, e.g. {"durable": true}.');
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, reply: Reply): void {
  const headers = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  res.writeHead(reply.status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-cache' }).end(JSON.stringify(reply.body));
}

function sendError(res: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = error.status === 401 && error.error === 'not_authorized' ? { 'www-authenticate': REALM } : {};
  // A refused request's body may not have been read: end the connection so it is never received.
  if (!res.req.readableEnded) headers.connection = 'close';
  send(res, { status: error.status, body: { error: error.error, reason: error.reason }, headers });
}

export function createManagementHandler(routes: readonly Route[], services: () => Services) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = segments(url.pathname);
      if (parts === null) throw badRequest(`The path ${url.pathname} is not valid percent-encoding: encode / in names as %2F, e.g. /api/queues/%2F/orders.`);
      const found = routes.map((route) => ({ route, params: match(route, parts) })).filter((m) => m.params !== null);
      if (found.length === 0) throw notFound(`Not Found: no management API endpoint at ${url.pathname}.`);
      const hit = found.find((m) => m.route.method === req.method);
      if (!hit) {
        const allowed = [...new Set(found.map((m) => m.route.method))].join(', ');
        throw new ApiError(405, 'Method Not Allowed', `${req.method} is not allowed on ${url.pathname}: use ${allowed}.`);
      }
      const svc = services();
      const { user, access } = await authenticate(svc, req);
      const params = hit.params as Record<string, string>;
      requireNeed(hit.route.need, access, params.vhost);
      const body = req.method === 'PUT' || req.method === 'POST' ? await readBody(req) : {};
      const call: ApiCall = {
        services: svc,
        user,
        access,
        actor: { services: svc, user, peerAddress: req.socket.remoteAddress ?? '' },
        params,
        query: url.searchParams,
        body,
      };
      const reply = await hit.route.run(call);
      if (req.method !== 'GET') await svc.broker.stored();
      send(res, reply);
    } catch (error) {
      const known = apiErrorOf(error);
      if (known) return sendError(res, known);
      console.error(`Management API error in ${req.method} ${req.url}:`, error);
      sendError(
        res,
        new ApiError(500, 'internal_error', `Warren failed to answer this request (${(error as Error)?.message ?? error}); its log has the details.`),
      );
    }
  };
}
