/**
 * The HTTP server: `/api/trpc/*` is answered here by tRPC (HTTP batching and
 * SSE subscriptions), `/metrics` in Prometheus text format, and every other
 * request is handed to Next.js, which serves the prebuilt console.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter } from '../api/root';
import type { Services } from '../services';
import { renderMetrics } from './metrics';

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

/** When each API request's context was made: the start of its server time. */
const contextStartedAt = new WeakMap<object, number>();

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

export async function startHttpServer(opts: {
  host: string;
  port: number;
  services: () => Services;
  /** Serves everything that is not the API: the Next.js request handler. */
  pages: RequestHandler;
}): Promise<HttpServer> {
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
        setCookie: (value: string) => res.appendHeader('set-cookie', value),
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
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`API error in ${path ?? '?'}:`, error.cause ?? error);
    },
  });

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/trpc/')) return trpc(req, res);
    if (url === '/metrics' || url.startsWith('/metrics?')) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(renderMetrics(opts.services()));
      return;
    }
    Promise.resolve(opts.pages(req, res)).catch((err) => {
      console.error('Console page error:', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error while rendering the console page.');
    });
  });
  // SSE streams are long-lived; keep-alive sockets should not pin shutdown.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
