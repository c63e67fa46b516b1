/**
 * Who may use this broker: users from the metadata database, checked for both
 * AMQP (SASL PLAIN/AMQPLAIN) and the console's sign-in, with their tags and
 * their per-vhost permissions (kept in the engine's AccessControl, which the
 * AMQP layer checks). A fresh broker gets one administrator, guest/guest by
 * default (WARREN_DEFAULT_USER / WARREN_DEFAULT_PASS); users listed as
 * loopback users (guest by default, RabbitMQ's loopback_users) may only
 * connect from this machine.
 *
 * Every change takes effect at once: the credential cache forgets a user whose
 * password changes or who is deleted, permissions are replaced in the engine
 * before the call returns, and `onDeleted` closes a deleted user's connections
 * and console sessions.
 */
import { createHash } from 'node:crypto';
import { type AccessControl, compilePermission, type PermissionPatterns } from '../broker/access/access-control';
import { BrokerError } from '../broker/errors';
import type { MetadataDb } from '../store/db';
import { HashingBusyError, hashingOf, hashPassword, verifyPassword } from './passwords';
import { SignInGuard } from './sign-in-guard';
import { TopicPermissions } from './topic-permissions';

export const USER_TAGS = ['administrator', 'monitoring', 'management', 'policymaker'] as const;
export type UserTag = (typeof USER_TAGS)[number];

export interface SignedInUser {
  name: string;
  tags: string[];
}

export interface UserInfo extends SignedInUser {
  /** 'scrypt', or the RabbitMQ algorithm of an imported hash. */
  hashing: string;
  createdAt: number;
}

export type AuthResult = { ok: true; user: SignedInUser } | { ok: false; reason: string };

export const FULL_PERMISSION: PermissionPatterns = { configure: '.*', write: '.*', read: '.*' };

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export class UserError extends Error {}

export interface UsersOptions {
  /** Users who may only connect from loopback (RabbitMQ's loopback_users); default ['guest']. */
  loopbackUsers?: readonly string[];
  /** Where refused sign-ins are reported (never with the password). */
  log?: (line: string) => void;
}

export class Users {
  /** Name → tags of every user, for the console's per-request checks. */
  private readonly directory = new Map<string, string[]>();
  /** Name → digest of the password last verified: AMQP clients reconnect often and scrypt is slow on purpose. */
  private readonly verified = new Map<string, string>();
  private readonly guard = new SignInGuard();
  /** Checks under way, by peer address and digest of name and password. */
  private readonly checking = new Map<string, Promise<AuthResult>>();
  private readonly loopbackUsers: ReadonlySet<string>;
  private readonly log: (line: string) => void;
  /** Called after a user is deleted: close their connections, end their sessions. */
  onDeleted: (name: string) => void = () => {};
  /** Topic permissions (topic-permissions.ts). */
  readonly topicPermissions: TopicPermissions;

  constructor(
    private readonly db: MetadataDb,
    readonly access: AccessControl,
    options: UsersOptions = {},
  ) {
    this.loopbackUsers = new Set(options.loopbackUsers ?? ['guest']);
    this.log = options.log ?? (() => {});
    this.topicPermissions = new TopicPermissions(db, access.topics);
  }

  /**
   * Loads users and permissions; on a database without users, creates the
   * default one as administrator with every permission on `/`.
   */
  async load(defaultUser = { name: 'guest', password: 'guest' }): Promise<void> {
    const prisma = this.db.prisma;
    if ((await prisma.user.count()) === 0) {
      const vhost = await prisma.vhost.upsert({ where: { name: '/' }, create: { name: '/' }, update: {} });
      await prisma.user.create({
        data: {
          name: defaultUser.name,
          passwordHash: await hashPassword(defaultUser.password),
          tags: JSON.stringify(['administrator']),
          permissions: { create: { vhostId: vhost.id, ...FULL_PERMISSION } },
        },
      });
    }
    const rows = await prisma.user.findMany({ include: { permissions: { include: { vhost: true } } } });
    for (const row of rows) {
      this.directory.set(row.name, parseTags(row.tags));
      for (const p of row.permissions) this.access.set(row.name, p.vhost.name, { configure: p.configure, write: p.write, read: p.read });
    }
    await this.topicPermissions.load();
  }

  /** The user's name and tags as they are now, or null when there is no such user. */
  get(name: string): SignedInUser | null {
    const tags = this.directory.get(name);
    return tags ? { name, tags } : null;
  }

  get loopbackOnly(): readonly string[] {
    return [...this.loopbackUsers];
  }

  /**
   * Checks a name and password from `peerAddress`, with the per-address
   * back-off and in-flight cap. Identical sign-ins from one address while one
   * is being checked (a client's connection pool starting) wait for that check
   * instead of taking a place of their own: without this, the cap refused the
   * fourth connection of a burst.
   */
  authenticate(name: string, password: string, peerAddress: string): Promise<AuthResult> {
    const digest = createHash('sha256').update(name).update('\0').update(password).digest('base64');
    const key = `${peerAddress}\0${digest}`;
    let pending = this.checking.get(key);
    if (pending === undefined) {
      pending = this.guardedCheck(name, password, digest, peerAddress).finally(() => this.checking.delete(key));
      this.checking.set(key, pending);
    }
    return pending;
  }

  private async guardedCheck(name: string, password: string, digest: string, peerAddress: string): Promise<AuthResult> {
    const guarded = await this.guard.attempt(peerAddress, async () => {
      const result = await this.check(name, password, digest, peerAddress).catch((error: unknown) => {
        if (error instanceof HashingBusyError) return { ok: false as const, reason: error.message };
        throw error;
      });
      return { ok: result.ok, value: result };
    });
    const result: AuthResult = guarded.admitted
      ? guarded.value
      : { ok: false, reason: 'too many sign-in attempts at once from this address; wait for the ones under way' };
    if (!result.ok) this.log(`sign-in refused for user '${name}' from ${peerAddress}: ${result.reason}`);
    return result;
  }

  private async check(name: string, password: string, digest: string, peerAddress: string): Promise<AuthResult> {
    if (this.loopbackUsers.has(name) && !isLoopback(peerAddress)) {
      return { ok: false, reason: `user '${name}' can only connect via localhost; create another user for remote access` };
    }
    const tags = this.directory.get(name);
    if (tags && this.verified.get(name) === digest) return { ok: true, user: { name, tags } };
    const row = await this.db.prisma.user.findUnique({ where: { name } });
    if (!row || !(await verifyPassword(password, row.passwordHash))) return { ok: false, reason: 'wrong user name or password' };
    // A change made while scrypt ran wins: only cache what is still the user's password.
    const current = await this.db.prisma.user.findUnique({ where: { name } });
    if (current?.passwordHash !== row.passwordHash) return { ok: false, reason: 'wrong user name or password' };
    this.verified.set(name, digest);
    return { ok: true, user: { name, tags: parseTags(row.tags) } };
  }

  // ---- administration ---------------------------------------------------------

  async list(): Promise<UserInfo[]> {
    const rows = await this.db.prisma.user.findMany({ orderBy: { name: 'asc' } });
    return rows.map((r) => ({ name: r.name, tags: parseTags(r.tags), hashing: hashingOf(r.passwordHash), createdAt: r.createdAt.getTime() }));
  }

  /** Every user with the stored form of their password hash (`<scheme>$<hash>`, see passwords.ts): for a definitions export. */
  async listWithPasswordHashes(): Promise<(UserInfo & { passwordHash: string })[]> {
    const rows = await this.db.prisma.user.findMany({ orderBy: { name: 'asc' } });
    return rows.map((r) => ({
      name: r.name,
      tags: parseTags(r.tags),
      hashing: hashingOf(r.passwordHash),
      createdAt: r.createdAt.getTime(),
      passwordHash: r.passwordHash,
    }));
  }

  /** A new user; the stored hash may be given instead of a password (an imported RabbitMQ hash). */
  async create(name: string, secret: { password: string } | { passwordHash: string }, tags: string[]): Promise<void> {
    if (this.directory.has(name)) throw new UserError(`A user named '${name}' exists already: choose another name, or edit that user.`);
    const passwordHash = 'password' in secret ? await hashPassword(secret.password) : secret.passwordHash;
    try {
      await this.db.prisma.user.create({ data: { name, passwordHash, tags: JSON.stringify(checkTags(tags)) } });
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserError(`A user named '${name}' exists already: choose another name, or edit that user.`);
      throw error;
    }
    this.directory.set(name, tags);
  }

  async setTags(name: string, tags: string[]): Promise<void> {
    this.existing(name);
    checkTags(tags);
    if (!tags.includes('administrator')) await this.keepAnAdministrator(name, 'take the administrator tag from');
    await this.db.prisma.user.update({ where: { name }, data: { tags: JSON.stringify(tags) } });
    this.directory.set(name, tags);
  }

  async setPassword(name: string, password: string): Promise<void> {
    this.existing(name);
    const passwordHash = await hashPassword(password);
    this.verified.delete(name);
    await this.db.prisma.user.update({ where: { name }, data: { passwordHash } });
    this.verified.delete(name);
  }

  /** Deletes a user with their permissions; their connections are closed (320) and sessions ended. */
  async delete(name: string): Promise<void> {
    this.existing(name);
    await this.keepAnAdministrator(name, 'delete');
    await this.db.prisma.user.delete({ where: { name } });
    this.directory.delete(name);
    this.verified.delete(name);
    this.access.forgetUser(name);
    this.onDeleted(name);
  }

  /** Sets a user's permission on a vhost (replacing one there). 406 naming a bad pattern. */
  async setPermission(user: string, vhost: string, patterns: PermissionPatterns): Promise<void> {
    this.existing(user);
    compilePermission(patterns);
    const row = await this.db.prisma.vhost.findUnique({ where: { name: vhost } });
    if (!row) throw new BrokerError('NOT_FOUND', `no vhost '${vhost}'`);
    const userRow = await this.db.prisma.user.findUniqueOrThrow({ where: { name: user } });
    await this.db.prisma.permission.upsert({
      where: { userId_vhostId: { userId: userRow.id, vhostId: row.id } },
      create: { userId: userRow.id, vhostId: row.id, ...patterns },
      update: patterns,
    });
    this.access.set(user, vhost, patterns);
  }

  async clearPermission(user: string, vhost: string): Promise<void> {
    this.access.clear(user, vhost);
    await this.db.prisma.permission.deleteMany({ where: { user: { name: user }, vhost: { name: vhost } } });
  }

  // ---- changes another cluster node made (server/cluster/topology-apply.ts) ------

  /** A user created or changed on another node: new tags now, and the password checked again at the next sign-in. */
  changedElsewhere(name: string, tags: string[]): void {
    this.directory.set(name, tags);
    this.verified.delete(name);
  }

  /** A user deleted on another node: as `delete` after the database's row is gone. */
  deletedElsewhere(name: string): void {
    if (!this.directory.delete(name)) return;
    this.verified.delete(name);
    this.access.forgetUser(name);
    this.onDeleted(name);
  }

  private existing(name: string): void {
    if (!this.directory.has(name)) throw new UserError(`There is no user named '${name}'.`);
  }

  private async keepAnAdministrator(name: string, act: string): Promise<void> {
    const others = [...this.directory].filter(([other, tags]) => other !== name && tags.includes('administrator'));
    if (this.directory.get(name)?.includes('administrator') && others.length === 0) {
      throw new UserError(`'${name}' is the last administrator: give another user the administrator tag before you ${act} this one.`);
    }
  }
}

export function parseTags(raw: string): string[] {
  try {
    const tags = JSON.parse(raw) as unknown;
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function checkTags(tags: string[]): string[] {
  const unknown = tags.filter((t) => !(USER_TAGS as readonly string[]).includes(t));
  if (unknown.length > 0) throw new UserError(`Unknown tag ${unknown.map((t) => `'${t}'`).join(', ')}: tags are ${USER_TAGS.join(', ')} (or none).`);
  return tags;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
