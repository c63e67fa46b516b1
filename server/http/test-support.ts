// Helpers for the HTTP server's tests: a real server on an ephemeral port with
// real services (SQLite metadata database, sessions), settings taken through
// loadConfig as a person would give them, optionally the AMQP listener and the
// samplers beside it, and a raw socket client.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAmqpServer, type AmqpServerHandle } from '../amqp/server';
import { Users } from '../auth/users';
import { AccessControl } from '../broker/access/access-control';
import { Broker } from '../broker/broker';
import { loadConfig } from '../config';
import type { Services } from '../services';
import { openMetadataDb } from '../store/db';
import { openDurableBroker } from '../store/recovery';
import { startHttpServer, type HttpServer, type RequestHandler } from './server';
import { testServices } from '../../test/support/services';

export interface TestHttp {
  server: HttpServer;
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  services: Services;
  /** A Cookie header value signing the request in as guest. */
  cookie: string;
  /** What the server logged. */
  logged: string[];
  /** amqp://127.0.0.1:<port> of the AMQP listener (without credentials), when it was asked for. */
  amqpUrl: string;
  close(): Promise<void>;
}

/** A console page stand-in: Next.js is not under test here. */
const testPage: RequestHandler = (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>console page</p>');

export async function startTestHttp(
  env: Record<string, string> = {},
  /** amqp: also listen for AMQP clients, checked against the same users, with the samplers running (as main.ts wires them). */
  opts: { host?: string; tls?: boolean; amqp?: boolean } = {},
): Promise<TestHttp> {
  const dir = mkdtempSync(join(tmpdir(), 'warren-http-'));
  const config = loadConfig([], env);
  const db = await openMetadataDb({ dataDir: dir });
  const access = new AccessControl();
  const users = new Users(db, access);
  await users.load();
  // With AMQP clients, durable as in production: the metadata database then holds the vhosts that permissions refer to.
  const durable = opts.amqp ? await openDurableBroker({ dataDir: dir, db, access }) : null;
  const broker = durable?.broker ?? new Broker({ access });
  const services = testServices(broker, db, { users });
  let amqp: AmqpServerHandle | undefined;
  if (opts.amqp) {
    amqp = await startAmqpServer({
      broker,
      host: '127.0.0.1',
      port: 0,
      authenticate: async (name, password, peer) => (await users.authenticate(name, password, peer)).ok,
    });
    services.listeners.amqp = `127.0.0.1:${amqp.port}`;
    users.onDeleted = (name) => broker.closeUserConnections(name, `user '${name}' is deleted`);
    services.brokerSampler.start();
  }
  const logged: string[] = [];
  const host = opts.host ?? '127.0.0.1';
  const server = await startHttpServer({
    host,
    port: 0,
    services: () => services,
    pages: testPage,
    settings: config,
    tls: opts.tls ? config.tls : undefined,
    log: (line) => logged.push(line),
  });
  const cookie = services.sessions.issue('guest').split(';')[0]!;
  const shown = host === 'localhost' ? '127.0.0.1' : host;
  services.listeners.http = `${shown}:${server.port}`;
  return {
    server,
    url: `${server.scheme}://${shown}:${server.port}`,
    port: server.port,
    services,
    cookie,
    logged,
    amqpUrl: amqp ? `amqp://127.0.0.1:${amqp.port}` : '',
    async close() {
      services.brokerSampler.stop();
      await server.close();
      await amqp?.close();
      broker.close();
      await durable?.store.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw TCP client: what it received, and when the server closed the socket. */
export interface RawClient {
  socket: net.Socket;
  received(): string;
  /** Resolves with the milliseconds from connecting until the server closed the socket. */
  closed: Promise<number>;
}

export async function rawConnect(port: number, opts: { host?: string; localAddress?: string } = {}): Promise<RawClient> {
  const socket = net.connect({ port, host: opts.host ?? '127.0.0.1', localAddress: opts.localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = performance.now();
  let text = '';
  socket.on('data', (d) => (text += d));
  socket.on('error', () => {}); // a reset is one way of being closed
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
  return { socket, received: () => text, closed };
}
