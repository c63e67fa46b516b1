/**
 * What the console's HTTP server checks before it reads a request's body or
 * hands the request on: the Host it is reached at, the origin of any request
 * that changes something, the content type of API calls, the session of
 * anyone who sends a body, the body's size and how many bodies arrive at once.
 * Each refusal says what was wrong and the limit, and closes the connection so
 * that an unread body is never received.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { metricsEndpoint } from './metrics';

/** The procedures anyone may call without a session: sign-in needs no session, by definition. */
const PUBLIC_PROCEDURES = new Set(['auth.me', 'auth.signIn', 'auth.signOut']);

/** Largest body without a session: a sign-in (a name of at most 255 bytes and a password of at most 1,024) fits many times over. */
export const UNAUTHENTICATED_MAX_BODY_BYTES = 16 * 1024;

/** Procedures that take a whole definitions file: their bodies may be up to `maxDefinitionsBodyBytes`. */
const DEFINITIONS_UPLOADS = new Set(['definitions.preview', 'definitions.import']);
/** The management API's import: POST /api/definitions[/{vhost}]. */
const MANAGEMENT_DEFINITIONS = /^\/api\/definitions(\/[^/?]+)?(\?|$)/;

const API_PREFIX = '/api/trpc/';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestGuardOptions {
  /** Largest body of a signed-in user's request. */
  maxBodyBytes: number;
  /** Largest body of a signed-in user's definitions upload (DEFINITIONS_UPLOADS). */
  maxDefinitionsBodyBytes: number;
  /** Largest body of a signed-in user's message import (a JSON-lines file, read as it arrives). */
  maxImportBodyBytes: number;
  /** URLs of message imports. */
  importPath: RegExp;
  /** Bodies being received at once (0: no cap). */
  maxBodiesInFlight: number;
  /** Host names the console answers to besides localhost, IP addresses and this machine's name. */
  allowedHosts: readonly string[];
  /** Whether the request carries a valid session. */
  signedIn(req: IncomingMessage): boolean;
  /** How a person changes each limit, for the refusals: "WARREN_HTTP_MAX_BODY (or --http-max-body)". */
  settings: { maxBody: string; maxDefinitionsBody: string; maxImportBody: string; maxBodiesInFlight: string; allowedHosts: string };
}

interface Refusal {
  status: number;
  code: TRPC_ERROR_CODE_KEY;
  message: string;
}

export class RequestGuard {
  private bodiesInFlight = 0;
  private readonly allowedHosts: Set<string>;

  constructor(private readonly opts: RequestGuardOptions) {
    this.allowedHosts = new Set(['localhost', hostname().toLowerCase(), ...opts.allowedHosts]);
  }

  /**
   * Answers the request and returns true when it is refused; otherwise
   * returns false and counts its body, if any, until it has arrived.
   */
  refuse(req: IncomingMessage, res: ServerResponse): boolean {
    const refusal = this.check(req);
    if (!refusal) return false;
    const url = req.url ?? '/';
    // The connection ends with the answer, so an unread body is never received.
    const headers = { connection: 'close', ...(refusal.status === 503 ? { 'retry-after': '1' } : {}) };
    if (url.startsWith(API_PREFIX)) {
      res.writeHead(refusal.status, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(trpcErrorBody(url, refusal)));
    } else if (url.startsWith('/api/')) {
      // The management HTTP API answers RabbitMQ's error shape.
      res.writeHead(refusal.status, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: refusal.code.toLowerCase(), reason: refusal.message }));
    } else {
      res.writeHead(refusal.status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${refusal.message}\n`);
    }
    return true;
  }

  private check(req: IncomingMessage): Refusal | null {
    const url = req.url ?? '/';
    const api = url.startsWith(API_PREFIX);
    const host = req.headers.host ?? '';
    const metrics = metricsEndpoint(url) !== null; // scraped by address or by any DNS name
    if (!metrics && !this.hostAllowed(host)) {
      return {
        status: 403,
        code: 'FORBIDDEN',
        message: `Host "${host}" is not a name this console answers to (a guard against DNS rebinding): use localhost or an IP address, or add the name to ${this.opts.settings.allowedHosts}.`,
      };
    }
    if (!SAFE_METHODS.has(req.method ?? 'GET')) {
      const crossSite = crossSiteReason(req, host);
      if (crossSite) return { status: 403, code: 'FORBIDDEN', message: `Cross-site request refused: ${crossSite}.` };
      if (api && !isJson(req.headers['content-type'])) {
        return {
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `API calls that change something must be sent as application/json, not ${req.headers['content-type'] ?? 'without a content type'}.`,
        };
      }
    }
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (!hasBody) return null;

    const signedIn = this.opts.signedIn(req);
    if (api && !signedIn && !procedures(url).every((p) => PUBLIC_PROCEDURES.has(p))) {
      return { status: 401, code: 'UNAUTHORIZED', message: 'Sign in to use the console.' };
    }
    if (length === undefined) {
      return { status: 411, code: 'BAD_REQUEST', message: 'A request body needs a Content-Length header (chunked bodies are not accepted).' };
    }
    const upload = signedIn && (api ? procedures(url).every((p) => DEFINITIONS_UPLOADS.has(p)) : MANAGEMENT_DEFINITIONS.test(url));
    const imported = signedIn && this.opts.importPath.test(url);
    const [limit, setting] = imported
      ? [this.opts.maxImportBodyBytes, this.opts.settings.maxImportBody]
      : upload
        ? [this.opts.maxDefinitionsBodyBytes, this.opts.settings.maxDefinitionsBody]
        : [signedIn ? this.opts.maxBodyBytes : UNAUTHENTICATED_MAX_BODY_BYTES, this.opts.settings.maxBody];
    if (Number(length) > limit) {
      const why = signedIn ? `the limit set by ${setting}` : 'the limit without a session';
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `Request body of ${length} bytes is over ${limit} bytes, ${why}.` };
    }
    const cap = this.opts.maxBodiesInFlight;
    if (cap > 0 && this.bodiesInFlight >= cap) {
      return {
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: `${this.bodiesInFlight} request bodies are being received, the most ${this.opts.settings.maxBodiesInFlight} allows: try again in a moment.`,
      };
    }
    this.countBody(req);
    return null;
  }

  private countBody(req: IncomingMessage): void {
    this.bodiesInFlight++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      this.bodiesInFlight--;
    };
    req.once('end', done);
    req.once('close', done);
  }

  private hostAllowed(host: string): boolean {
    const name = hostName(host);
    return name !== '' && (isIP(name) !== 0 || name.endsWith('.localhost') || this.allowedHosts.has(name));
  }
}

/** "[::1]:15672" → "::1", "Example.com:80" → "example.com". */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * Why a state-changing request comes from another site, or null: browsers
 * send Origin on every POST and Sec-Fetch-Site on every request; clients
 * without them (curl, scripts) are not browsers a page could have driven.
 * The Origin's host and port must be the Host the request was sent to; its
 * scheme is not compared, since a TLS-terminating proxy forwards https
 * requests over plain HTTP.
 */
function crossSiteReason(req: IncomingMessage, host: string): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `the browser says it comes from a ${site} page`;
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const originHost = /^[a-z][a-z0-9+.-]*:\/\/([^/]+)$/i.exec(origin.trim())?.[1];
  return originHost !== undefined && originHost.toLowerCase() === host.toLowerCase() ? null : `Origin ${origin} is not this console (${host})`;
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType.trim());
}

/** The procedures of an API URL: "/api/trpc/a.b,c.d?batch=1" → ["a.b", "c.d"]. */
function procedures(url: string): string[] {
  const path = url.slice(API_PREFIX.length).split('?')[0]!; // split gives at least one part
  try {
    return decodeURIComponent(path).split(',');
  } catch {
    return [path]; // not a procedure name, so not a public one
  }
}

/** A refusal in tRPC's error shape (one per procedure of a batch), so the console shows its message. */
function trpcErrorBody(url: string, refusal: Refusal): unknown {
  const error = (path: string) => ({
    error: { message: refusal.message, code: TRPC_ERROR_CODES_BY_KEY[refusal.code], data: { code: refusal.code, httpStatus: refusal.status, path } },
  });
  const batch = new URLSearchParams(url.split('?')[1] ?? '').get('batch') === '1';
  return batch ? procedures(url).map(error) : error(procedures(url)[0]!);
}
