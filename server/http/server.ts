/**
 * The HTTP server: `/api/trpc/*` is answered here by tRPC (HTTP batching and
 * SSE subscriptions), the rest of `/api/` by the management HTTP API
 * (RabbitMQ's, management/), `/metrics` in Prometheus text format, and every other
 * request is handed to Next.js, which serves the prebuilt console. HTTPS when
 * TLS files are given. Every request passes the RequestGuard first; every
 * socket passes the ConnectionGate.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter } from '../api/root';
import { settingName, type Config, type TlsFiles } from '../config';
import { ConnectionGate, listenOn, logAcceptErrors } from '../listeners';
import { defaultLogger, type Logger } from '../log';
import type { Services } from '../services';
import { hasBasicCredentials } from './management/basic-auth';
import { createManagementHandler } from './management/router';
import { MANAGEMENT_ROUTES } from './management/routes';
import { createTransferHandler, IMPORT_PATH, isMessageTransfer } from './message-transfer/transfer-handler';
import { metricsEndpoint, PrometheusMetrics, serveMetrics } from './metrics';
import { RequestGuard } from './request-guard';

export interface HttpServer {
  port: number;
  /** 'https' when TLS files were given. */
  scheme: 'http' | 'https';
  close(): Promise<void>;
}

/** The settings the HTTP server takes from the process's Config. */
export type HttpSettings = Pick<
  Config,
  | 'httpMaxConnections'
  | 'httpMaxConnectionsPerAddress'
  | 'httpMaxBodyBytes'
  | 'definitionsMaxBodyBytes'
  | 'importMaxBodyBytes'
  | 'httpMaxBodiesInFlight'
  | 'httpHeadersTimeoutMs'
  | 'httpRequestTimeoutMs'
  | 'httpAllowedHosts'
  | 'metricsToken'
>;

/**
 * Sent with every answer. Next.js streams each page's data in inline
 * `<script>` elements whose content differs per page and per render, and
 * React renders inline `style` attributes, so scripts and styles need
 * 'unsafe-inline' (a per-request nonce would force every page to be rendered
 * dynamically instead of served prebuilt). What CSP still forbids: framing,
 * scripts and connections to other origins, plugins, <base> and foreign form
 * targets. The development server also evaluates code ('unsafe-eval').
 */
function securityHeaders(dev: boolean): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
}

/** When each API request's context was made: the start of its server time. */
const contextStartedAt = new WeakMap<object, number>();

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

export async function startHttpServer(opts: {
  /** 'localhost': both loopback addresses. */
  host: string;
  port: number;
  services: () => Services;
  /** Serves everything that is not the API: the Next.js request handler. */
  pages: RequestHandler;
  settings: HttpSettings;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsFiles;
  /** Next.js's development server runs (its pages need eval). */
  dev?: boolean;
  /** Refused sockets and accept errors. */
  log?: (line: string) => void;
  /** Internal errors of the API, the pages and /metrics; default: the process's default logger. */
  logger?: Logger;
}): Promise<HttpServer> {
  const { settings } = opts;
  const logger = opts.logger ?? defaultLogger().child({ module: 'http' });
  const log = opts.log ?? ((line: string) => logger.info(line));
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext: ({ req, res }) => {
      const services = opts.services();
      const signedIn = services.sessions.read(req.headers.cookie);
      const ctx = {
        services,
        user: signedIn === null ? null : services.users.get(signedIn),
        cookie: req.headers.cookie ?? '',
        peerAddress: req.socket.remoteAddress ?? '',
        // Over HTTPS the session cookie is never sent back over plain HTTP.
        setCookie: (value: string) => res.appendHeader('set-cookie', opts.tls ? `${value}; Secure` : value),
      };
      contextStartedAt.set(ctx, performance.now());
      return ctx;
    },
    // Server-Timing: how long the server took to answer (browsers' developer tools show it; the W7 benchmark reads it).
    responseMeta: ({ ctx, eagerGeneration }) => {
      const started = ctx === undefined ? undefined : contextStartedAt.get(ctx);
      if (started === undefined || eagerGeneration) return {};
      return { headers: { 'server-timing': `trpc;dur=${(performance.now() - started).toFixed(2)}` } };
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ event: 'api.error', path, err: error.cause ?? error }, `API error in ${path ?? '?'}`);
    },
  });

  const guard = new RequestGuard({
    maxBodyBytes: settings.httpMaxBodyBytes,
    maxDefinitionsBodyBytes: settings.definitionsMaxBodyBytes,
    maxImportBodyBytes: settings.importMaxBodyBytes,
    importPath: IMPORT_PATH,
    maxBodiesInFlight: settings.httpMaxBodiesInFlight,
    allowedHosts: settings.httpAllowedHosts,
    // Management API calls sign in with basic auth, checked before their body is read (management/router.ts).
    signedIn: (req) => opts.services().sessions.read(req.headers.cookie) !== null || (isManagementApi(req.url ?? '/') && hasBasicCredentials(req)),
    settings: {
      maxBody: settingName('httpMaxBody'),
      maxDefinitionsBody: settingName('definitionsMaxBody'),
      maxImportBody: settingName('importMaxBody'),
      maxBodiesInFlight: settingName('httpMaxBodiesInFlight'),
      allowedHosts: settingName('httpAllowedHosts'),
    },
  });
  const headers = securityHeaders(opts.dev ?? false);
  const management = createManagementHandler(MANAGEMENT_ROUTES, opts.services);
  const transfer = createTransferHandler(opts.services);
  const metrics = new PrometheusMetrics(opts.services);
  const metricsAuth = { token: settings.metricsToken, tokenSetting: settingName('metricsToken') };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (guard.refuse(req, res)) return;
    const url = req.url ?? '/';
    if (url.startsWith('/api/trpc/')) return trpc(req, res);
    const endpoint = metricsEndpoint(url);
    if (endpoint !== null)
      return serveMetrics(metrics, endpoint, req, res, metricsAuth, (error) =>
        logger.error({ event: 'metrics.error', err: error }, 'collecting the metrics failed'),
      );
    if (isMessageTransfer(url)) return transfer(req, res);
    if (isManagementApi(url)) return management(req, res);
    Promise.resolve(opts.pages(req, res)).catch((err) => {
      logger.error({ event: 'page.error', url, err }, 'console page error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error while rendering the console page.');
    });
  };

  const serverOptions: http.ServerOptions = {
    // Node applies both only while a request is being received, never to an
    // answer being streamed, so SSE subscriptions live on.
    headersTimeout: settings.httpHeadersTimeoutMs,
    requestTimeout: settings.httpRequestTimeoutMs,
    // How often those timeouts are checked (Node's default, 30 s, would let a slow client stay that much longer).
    connectionsCheckingInterval: Math.min(1000, settings.httpHeadersTimeoutMs),
    // SSE streams are long-lived; idle keep-alive sockets should not pin shutdown.
    keepAliveTimeout: 5_000,
  };
  const gate = new ConnectionGate(
    'Console',
    { total: settings.httpMaxConnections, perAddress: settings.httpMaxConnectionsPerAddress },
    { total: settingName('httpMaxConnections'), perAddress: settingName('httpMaxConnectionsPerAddress') },
    log,
  );
  const tls = opts.tls;
  const make = () => {
    const server = tls
      ? https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key, handshakeTimeout: settings.httpHeadersTimeoutMs }, handle)
      : http.createServer(serverOptions, handle);
    // Before any byte is read; over TLS the socket is not yet encrypted, so a refusal can only close it.
    server.on('connection', (socket: Socket) => {
      const refusal = gate.admit(socket);
      if (refusal === null) return;
      if (tls) socket.destroy();
      else socket.end(plainRefusal(`Too many connections to the console: ${refusal}.`));
    });
    return server;
  };
  const { servers, port } = await listenOn(make, opts.host, opts.port);
  for (const server of servers) logAcceptErrors(server, 'Console', log);

  return {
    port,
    scheme: tls ? 'https' : 'http',
    close: () =>
      Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      ).then(() => undefined),
  };
}

/** RabbitMQ's management HTTP API paths: /api/ except the console's own /api/trpc/. */
export function isManagementApi(url: string): boolean {
  return url.startsWith('/api/') && !url.startsWith('/api/trpc/');
}

/** A whole HTTP answer written on a socket the server will not read from. */
function plainRefusal(message: string): string {
  const body = `${message}\n`;
  return `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}
