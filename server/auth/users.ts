/**
 * Who may use this broker: users from the metadata database, checked for both
 * AMQP (SASL PLAIN/AMQPLAIN) and the console's sign-in. A fresh broker has one
 * user, guest/guest, which — as in RabbitMQ — may only connect from loopback.
 * Repeated failures from one address are slowed down.
 */
import { createHash } from 'node:crypto';
import type { MetadataDb } from '../store/db';
import { hashPassword, verifyPassword } from './passwords';

const GUEST = 'guest';
const MAX_DELAY_MS = 5_000;

export interface SignedInUser {
  name: string;
  tags: string[];
}

export type AuthResult = { ok: true; user: SignedInUser } | { ok: false; reason: string };

export function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || address.startsWith('127.');
}

export class Users {
  /** Credentials already verified, by a digest of name and password: AMQP clients reconnect often and scrypt is slow on purpose. */
  private readonly verified = new Map<string, SignedInUser>();
  /** Consecutive failures per peer address, for the back-off. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly db: MetadataDb) {}

  /** Creates guest/guest (administrator) when the database has no user yet. */
  async ensureDefaultUser(): Promise<void> {
    if ((await this.db.prisma.user.count()) > 0) return;
    await this.db.prisma.user.create({ data: { name: GUEST, passwordHash: await hashPassword(GUEST), tags: JSON.stringify(['administrator']) } });
  }

  async authenticate(name: string, password: string, peerAddress: string): Promise<AuthResult> {
    const failures = this.failures.get(peerAddress) ?? 0;
    if (failures > 0) await new Promise((r) => setTimeout(r, Math.min(MAX_DELAY_MS, 100 * 2 ** (failures - 1))));
    const result = await this.check(name, password, peerAddress);
    if (result.ok) this.failures.delete(peerAddress);
    else this.failures.set(peerAddress, failures + 1);
    return result;
  }

  private async check(name: string, password: string, peerAddress: string): Promise<AuthResult> {
    if (name === GUEST && !isLoopback(peerAddress)) {
      return { ok: false, reason: "user 'guest' can only connect via localhost; create another user for remote access" };
    }
    const key = createHash('sha256').update(name).update('\0').update(password).digest('base64');
    const cached = this.verified.get(key);
    if (cached) return { ok: true, user: cached };
    const row = await this.db.prisma.user.findUnique({ where: { name } });
    if (!row || !(await verifyPassword(password, row.passwordHash))) return { ok: false, reason: 'wrong user name or password' };
    const user = { name: row.name, tags: JSON.parse(row.tags) as string[] };
    this.verified.set(key, user);
    return { ok: true, user };
  }
}
