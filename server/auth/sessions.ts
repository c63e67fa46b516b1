/**
 * Console sessions, kept on the server: the cookie `warren_session` holds a
 * random id, and the server maps it to a user name and an expiry. Signing
 * out forgets the id; deleting a user forgets all of theirs; a restart of the
 * broker signs everyone out. The user's tags are not in the session but read
 * per request, so a change of tags applies at once.
 */
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'warren_session';
const LIFETIME_MS = 12 * 60 * 60 * 1000;
/** Sessions kept at most; the oldest goes first (Map keeps insertion order). */
const MAX_SESSIONS = 10_000;

interface Session {
  user: string;
  expiresAt: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  /** The Set-Cookie header value that signs `user` in with a new session. */
  issue(user: string, now = Date.now()): string {
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { user, expiresAt: now + LIFETIME_MS });
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${LIFETIME_MS / 1000}`;
  }

  static clear(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /** The user name of a request's session, or null (no cookie, unknown, revoked or expired). */
  read(cookieHeader: string | undefined, now = Date.now()): string | null {
    const id = sessionId(cookieHeader);
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session) return null;
    if (session.expiresAt <= now) {
      this.sessions.delete(id!);
      return null;
    }
    return session.user;
  }

  /** Sign-out: the session's id stops working. */
  revoke(cookieHeader: string | undefined): void {
    const id = sessionId(cookieHeader);
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Ends every session of `user` (deleted). */
  forgetUser(user: string): void {
    for (const [id, session] of this.sessions) if (session.user === user) this.sessions.delete(id);
  }
}

function sessionId(cookieHeader: string | undefined): string | undefined {
  return cookieHeader
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);
}
