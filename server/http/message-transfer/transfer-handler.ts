/**
 * Export and import of messages as JSON lines (message-lines.ts), streamed
 * both ways so a file of any size never sits in memory:
 *
 *   GET  /api/transfer/export/{vhost}/{name}[?seqs=3,4,9 | ?query={search}]
 *        the messages of a queue, dead-letter queue, retry tier or stream,
 *        all of them, the listed seqs, or those a search finds, left in place
 *   POST /api/transfer/import/{vhost}/queue/{name}[?skipBadLines=true&firstLine=N]
 *   POST /api/transfer/import/{vhost}/exchange/{name}[?routingKey=K&skipBadLines=true&firstLine=N]
 *        a body of JSON lines put into a queue, or published to an exchange
 *
 * The console signs in with its session; scripts with HTTP basic auth, as the
 * management API. Exporting reads (monitoring users may); importing needs
 * the right to change the vhost. Both are audited. Errors come in the
 * management API's shape, {"error", "reason"}. An import stops at its first
 * bad line (answered 400 with the line number; the lines before it are
 * imported, none after) unless skipBadLines is set. The console sends a large
 * file in parts, passing firstLine so the numbering goes on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { recordAudit, type AuditActor } from '../../api/audit';
import { consoleAccess, refusals, type ConsoleAccess } from '../../api/console-access';
import { searchQuery } from '../../api/routers/search';
import type { SignedInUser } from '../../auth/users';
import type { ExportSink, ImportTarget, MessageSelection, TransferMessage } from '../../broker/broker';
import type { Services } from '../../services';
import { authenticate, REALM } from '../management/basic-auth';
import { apiErrorOf, ApiError, badRequest, notFound } from '../management/errors';
import { requireNeed } from '../management/router';
import { LineSource } from './line-source';
import { messageLine } from './message-lines';

const PREFIX = '/api/transfer/';
/** The import path, for the request guard's upload limit. */
export const IMPORT_PATH = /^\/api\/transfer\/import\//;

export function isMessageTransfer(url: string): boolean {
  return url.startsWith(PREFIX);
}

/** Decoded path segments below /api/transfer/; null when one is not valid percent-encoding. */
function segments(pathname: string): string[] | null {
  try {
    return pathname.slice(PREFIX.length).split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** The session's user, else the basic-auth one; 401 otherwise. */
async function caller(services: Services, req: IncomingMessage): Promise<{ user: SignedInUser; access: ConsoleAccess }> {
  const name = services.sessions.read(req.headers.cookie);
  const user = name === null ? null : services.users.get(name);
  if (user === null) return authenticate(services, req);
  const access = consoleAccess(user, services.broker.access);
  if (!access.signedIn) throw new ApiError(401, 'not_authorised', refusals.noConsoleTag(user.name));
  return { user, access };
}

const seqList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'seqs must be message numbers separated by commas, e.g. seqs=3,4,9')
  .transform((s) => s.split(',').map(Number));

function selectionOf(query: URLSearchParams): MessageSelection | null {
  const seqs = query.get('seqs');
  const search = query.get('query');
  if (seqs !== null && search !== null) throw badRequest('Give seqs or query, not both.');
  if (seqs !== null) {
    const parsed = seqList.safeParse(seqs);
    if (!parsed.success) throw badRequest(parsed.error.issues[0]!.message); // a failed parse has an issue
    return { seqs: parsed.data };
  }
  if (search === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(search);
  } catch (error) {
    throw badRequest(`query is not JSON (${(error as Error).message}): give a search as the Search panel sends it, e.g. {"routingKey":"eu.new"}.`);
  }
  const parsed = searchQuery.safeParse(json);
  if (!parsed.success) throw badRequest(`query: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}`);
  return { query: parsed.data };
}

/** What the export writes to: the response, waiting whenever the reader is behind. */
function responseSink(res: ServerResponse): ExportSink {
  return {
    write: (m: TransferMessage) => res.write(messageLine(m)),
    drained: () =>
      new Promise<void>((resolve) => {
        if (res.destroyed) return resolve();
        const done = () => (res.off('drain', done), res.off('close', done), resolve());
        res.on('drain', done).on('close', done);
      }),
    get closed() {
      return res.destroyed;
    },
  };
}

const where = (kind: string, name: string, vhost: string) => `${kind} '${name}' in vhost '${vhost}'`;

async function exportMessages(services: Services, actor: AuditActor, vhost: string, name: string, query: URLSearchParams, res: ServerResponse) {
  const selection = selectionOf(query);
  const filename = `${name.replace(/[^\w.-]+/g, '_') || 'messages'}.jsonl`;
  const sink = responseSink(res);
  const result = await services.broker.transfer.export({ vhost, name }, selection, sink, () => {
    // Reached once the queue was found and any search parsed: errors before this are answered as JSON.
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    });
  });
  res.end();
  await recordAudit(actor, {
    action: 'messages.export',
    target: where('queue', name, vhost),
    details: { exported: result.exported, state: result.state, selection: selection === null ? 'all' : 'seqs' in selection ? 'seqs' : 'search' },
  });
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw badRequest(`${name} must be true or false, not "${value}".`);
}

function lineNumber(query: URLSearchParams): number {
  const value = query.get('firstLine') ?? '1';
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw badRequest(`firstLine must be a line number from 1, not "${value}".`);
  return n;
}

async function importMessages(
  services: Services,
  actor: AuditActor,
  vhost: string,
  into: ImportTarget,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const skipBadLines = flag(query, 'skipBadLines');
  const firstLine = lineNumber(query);
  const target = 'queue' in into ? where('queue', into.queue, vhost) : where('exchange', into.exchange, vhost);
  const defaults = 'queue' in into ? { exchange: '', routingKey: into.queue } : { exchange: into.exchange, routingKey: query.get('routingKey') ?? '' };
  const source = new LineSource(req, { firstLine, skipBadLines, defaults });
  const result = await services.broker.transfer.import(vhost, into, source);
  const report = {
    imported: result.imported,
    refused: result.refused,
    unroutable: result.unroutable,
    /** The last line read, so that the next part of a file goes on from the one after it. */
    lastLine: firstLine + source.lines - 1,
    skipped: source.skipped,
    skippedCount: source.skippedCount,
    state: result.state,
  };
  await recordAudit(actor, {
    action: 'messages.import',
    target,
    details: { ...report, skipped: source.skippedCount, stoppedAt: source.stoppedAt },
  });
  const stopped = source.stoppedAt;
  if (stopped !== null) {
    const before = result.imported === 0 ? 'nothing was imported' : `the ${result.imported.toLocaleString('en')} message(s) before it were imported`;
    const reason = `line ${stopped.line}: ${stopped.error}. The import stopped there: ${before}, nothing after it. Fix the line and import the rest, or import with skipBadLines=true to skip bad lines.`;
    throw Object.assign(badRequest(reason), { report: { ...report, badLine: stopped } });
  }
  if (result.state === 'cancelled')
    throw Object.assign(new ApiError(409, 'cancelled', `The import into ${target} was cancelled after line ${report.lastLine}.`), { report });
  if (!req.readableEnded)
    throw Object.assign(
      new ApiError(
        409,
        'conflict',
        `The import into ${target} ended after line ${report.lastLine}: the queue was deleted meanwhile, so the rest was not imported.`,
      ),
      { report },
    );
  sendJson(res, 200, report);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: ApiError & { report?: unknown }): void {
  if (res.headersSent) {
    // An export already under way: cut it short, so the reader sees a broken download rather than a short file.
    res.destroy(error);
    return;
  }
  const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': REALM } : {};
  // A refused request's body may not have been read: end the connection so it is never received.
  if (!res.req.readableEnded) headers.connection = 'close';
  sendJson(res, error.status, { error: error.error, reason: error.reason, ...(error.report === undefined ? {} : error.report) }, headers);
}

export function createTransferHandler(services: () => Services) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = segments(url.pathname);
      if (parts === null) throw badRequest(`The path ${url.pathname} is not valid percent-encoding: encode / in names as %2F.`);
      const svc = services();
      const [action, vhost, third, fourth] = parts;
      const exporting = action === 'export' && parts.length === 3 && vhost !== undefined && third !== undefined;
      const importing = action === 'import' && parts.length === 4 && (third === 'queue' || third === 'exchange') && fourth !== undefined;
      if (!exporting && !importing)
        throw notFound(
          `Not Found: no transfer endpoint at ${url.pathname}; use GET ${PREFIX}export/{vhost}/{name} or POST ${PREFIX}import/{vhost}/queue|exchange/{name}.`,
        );
      const method = exporting ? 'GET' : 'POST';
      if (req.method !== method) throw new ApiError(405, 'Method Not Allowed', `${req.method} is not allowed on ${url.pathname}: use ${method}.`);
      const { user, access } = await caller(svc, req);
      const actor: AuditActor = { services: svc, user, peerAddress: req.socket.remoteAddress ?? '' };
      requireNeed(exporting ? 'read' : 'change', access, vhost);
      if (exporting) await exportMessages(svc, actor, vhost!, third!, url.searchParams, res);
      else await importMessages(svc, actor, vhost!, third === 'queue' ? { queue: fourth! } : { exchange: fourth! }, url.searchParams, req, res);
    } catch (error) {
      const known = apiErrorOf(error);
      if (known) return sendError(res, known);
      console.error(`Message transfer error in ${req.method} ${req.url}:`, error);
      sendError(
        res,
        new ApiError(500, 'internal_error', `Warren failed to answer this request (${(error as Error)?.message ?? error}); its log has the details.`),
      );
    }
  };
}
