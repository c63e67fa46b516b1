/**
 * HTTP basic authentication for the management API: the same users and
 * passwords as AMQP and the console, checked by Users.authenticate (with its
 * per-address back-off and its cap on password hashing at once), and the same
 * tag rules as the console (consoleAccess).
 */
import type { IncomingMessage } from 'node:http';
import type { SignedInUser } from '../../auth/users';
import { consoleAccess, refusals, type ConsoleAccess } from '../../api/console-access';
import type { Services } from '../../services';
import { ApiError } from './errors';

export const REALM = 'Basic realm="Warren Management"';

/** Whether the request carries basic credentials (what the request guard needs before the body is read). */
export function hasBasicCredentials(req: IncomingMessage): boolean {
  return /^basic\s/i.test(req.headers.authorization ?? '');
}

function credentials(header: string | undefined): { name: string; password: string } | null {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { name: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The user a request authenticates as, with what they may see and change; 401 otherwise. */
export async function authenticate(services: Services, req: IncomingMessage): Promise<{ user: SignedInUser; access: ConsoleAccess }> {
  const given = credentials(req.headers.authorization);
  if (!given) throw new ApiError(401, 'not_authorized', 'Give a user name and password with HTTP basic authentication, e.g. curl -u name:password.');
  const result = await services.users.authenticate(given.name, given.password, req.socket.remoteAddress ?? '');
  if (!result.ok) throw new ApiError(401, 'not_authorized', `Login failed: ${result.reason}.`);
  const access = consoleAccess(result.user, services.broker.access);
  if (!access.signedIn) throw new ApiError(401, 'not_authorised', refusals.noConsoleTag(result.user.name));
  return { user: result.user, access };
}
