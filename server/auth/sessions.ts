/**
 * Console sessions: a signed cookie `warren_session` holding the user's name,
 * tags and expiry, with an HMAC-SHA256 over it. The key is made once and kept
 * in the data directory, so sessions survive a restart of the broker.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SignedInUser } from './users';

export const SESSION_COOKIE = 'warren_session';
const LIFETIME_MS = 12 * 60 * 60 * 1000;

export class Sessions {
  private readonly key: Buffer;

  constructor(dataDir: string) {
    const file = path.join(dataDir, 'session.key');
    if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32), { mode: 0o600 });
    this.key = fs.readFileSync(file);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  /** The Set-Cookie header value that signs `user` in. */
  issue(user: SignedInUser, now = Date.now()): string {
    const payload = Buffer.from(JSON.stringify({ u: user.name, t: user.tags, e: now + LIFETIME_MS })).toString('base64url');
    return `${SESSION_COOKIE}=${payload}.${this.sign(payload)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${LIFETIME_MS / 1000}`;
  }

  static clear(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /** The signed-in user of a request's Cookie header, or null. */
  read(cookieHeader: string | undefined, now = Date.now()): SignedInUser | null {
    const raw = cookieHeader
      ?.split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
      ?.slice(SESSION_COOKIE.length + 1);
    if (!raw) return null;
    const [payload, signature] = raw.split('.');
    if (!payload || !signature) return null;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u: string; t: string[]; e: number };
      return data.e > now ? { name: data.u, tags: data.t } : null;
    } catch {
      return null;
    }
  }
}
