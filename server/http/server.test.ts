import { afterEach, describe, expect, it } from 'vitest';
import { Sessions } from '../auth/sessions';
import { Broker } from '../broker/broker';
import type { Services } from '../services';
import { startHttpServer, type HttpServer } from './server';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
});

describe('HTTP server', () => {
  it('answers API calls with the server time they took in a Server-Timing header', async () => {
    const services = { broker: new Broker(), sessions: new Sessions() } as unknown as Services;
    // Only the API is under test here: every other path is "not found".
    server = await startHttpServer({ host: '127.0.0.1', port: 0, services: () => services, pages: (_req, res) => void res.writeHead(404).end() });
    const res = await fetch(`http://127.0.0.1:${server.port}/api/trpc/auth.me`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: { data: null } });
    expect(res.headers.get('server-timing')).toMatch(/^trpc;dur=\d+\.\d{2}$/);
  });
});
