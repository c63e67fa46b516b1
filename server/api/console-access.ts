/**
 * What a signed-in console user may see and change, from their tags and
 * their vhost permissions (RabbitMQ's management tags, with Warren's reading
 * of monitoring as read-only):
 *   administrator  everything, including users, vhosts and permissions
 *   monitoring     sees every vhost, changes nothing
 *   management     sees and changes the vhosts it has a permission on
 *   policymaker    as management, and sets policies on those vhosts
 * A user with none of these tags cannot use the console.
 */
import type { AccessControl } from '../broker/access/access-control';
import type { SignedInUser } from '../auth/users';

export interface ConsoleAccess {
  readonly user: string;
  readonly tags: readonly string[];
  readonly isAdministrator: boolean;
  /** Sees every vhost (administrator, monitoring). */
  readonly seesAll: boolean;
  /** May change anything at all (management, policymaker, administrator). */
  readonly changes: boolean;
  /** May use the console at all. */
  readonly signedIn: boolean;
  canSee(vhost: string): boolean;
  canChange(vhost: string): boolean;
  canSetPolicies(vhost: string): boolean;
  /** The items of vhosts the user may see; the same array when they see all. */
  visible<T extends { vhost: string }>(items: T[]): T[];
  /** The vhost names of `all` the user may see. */
  visibleVhosts(all: string[]): string[];
}

export const CONSOLE_TAGS = ['administrator', 'monitoring', 'management', 'policymaker'];

export function consoleAccess(user: SignedInUser, access: AccessControl | undefined): ConsoleAccess {
  const has = (tag: string) => user.tags.includes(tag);
  const isAdministrator = has('administrator');
  const seesAll = isAdministrator || has('monitoring');
  const changes = isAdministrator || has('management') || has('policymaker');
  // Without an AccessControl (tests of the API alone) permissions are not kept: every vhost is the user's.
  const permitted = (vhost: string) => access === undefined || access.get(user.name, vhost) !== undefined;
  const canSee = (vhost: string) => seesAll || (changes && permitted(vhost));
  return {
    user: user.name,
    tags: user.tags,
    isAdministrator,
    seesAll,
    changes,
    signedIn: user.tags.some((t) => CONSOLE_TAGS.includes(t)),
    canSee,
    canChange: (vhost) => isAdministrator || (changes && permitted(vhost)),
    canSetPolicies: (vhost) => isAdministrator || (has('policymaker') && permitted(vhost)),
    visible: (items) => (seesAll ? items : items.filter((item) => canSee(item.vhost))),
    visibleVhosts: (all) => (seesAll ? all : all.filter(canSee)),
  };
}

/** What each refusal says, for the console's API and the management HTTP API alike. */
export const refusals = {
  noConsoleTag: (user: string) => `User '${user}' has no console tag (administrator, monitoring, management or policymaker).`,
  onlyLooks: (user: string) => `User '${user}' may only look (monitoring): changes need the management tag.`,
  noPermission: (user: string, vhost: string) => `User '${user}' has no permission on vhost '${vhost}'.`,
  noPolicies: (user: string, vhost: string | undefined) =>
    `User '${user}' may not set policies${vhost === undefined ? '' : ` in vhost '${vhost}'`}: that needs the policymaker tag and a permission on the vhost.`,
  notAllVhosts: () => 'Broker-wide figures are for users tagged monitoring or administrator.',
  notAdministrator: (user: string, what = 'users, vhosts and permissions') => `User '${user}' is not an administrator: ${what} need the administrator tag.`,
};
