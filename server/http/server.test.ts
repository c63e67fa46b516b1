import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../test/support/self-signed';
import { rawConnect, startTestHttp, type TestHttp } from './test-support';

let running: TestHttp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('HTTP server', () => {
  it('answers API calls with the server time they took in a Server-Timing header', async () => {
    running = await startTestHttp();
    const res = await fetch(`${running.url}/api/trpc/auth.me`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: { data: null } });
    expect(res.headers.get('server-timing')).toMatch(/^trpc;dur=\d+\.\d{2}$/);
  });

  it('closes a socket that sends its headers slowly once WARREN_HTTP_HEADERS_TIMEOUT has passed', async () => {
    running = await startTestHttp({ WARREN_HTTP_HEADERS_TIMEOUT: '500ms', WARREN_HTTP_REQUEST_TIMEOUT: '2s' });
    const client = await rawConnect(running.port);
    client.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => client.socket.writable && client.socket.write('X'), 100); // a header that never ends
    const ms = await client.closed;
    clearInterval(drip);
    expect(ms).toBeGreaterThan(400);
    expect(ms).toBeLessThan(2500); // the timeout and one check interval (at most 500 ms here), with room for a busy machine
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps an SSE subscription open longer than WARREN_HTTP_REQUEST_TIMEOUT', async () => {
    running = await startTestHttp({ WARREN_HTTP_HEADERS_TIMEOUT: '300ms', WARREN_HTTP_REQUEST_TIMEOUT: '600ms' });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${running!.url}/api/trpc/system.processFigures`, { headers: { cookie: running!.cookie } }, resolve).on('error', reject),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    let closed = false;
    res.on('close', () => (closed = true));
    res.resume();
    await new Promise((r) => setTimeout(r, 2000));
    expect(closed).toBe(false);
    res.destroy();
  });

  it('refuses the connection beyond WARREN_HTTP_MAX_CONNECTIONS_PER_ADDRESS, with a message; other addresses still get in', async () => {
    running = await startTestHttp({ WARREN_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '3' });
    const first = await Promise.all([1, 2, 3].map(() => rawConnect(running!.port)));
    const fourth = await rawConnect(running.port);
    await fourth.closed;
    expect(fourth.received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(fourth.received()).toContain(
      'Too many connections to the console: already 3 connections from 127.0.0.1 (the cap set by WARREN_HTTP_MAX_CONNECTIONS_PER_ADDRESS (or --http-max-connections-per-address)).',
    );
    expect(running.logged.join('\n')).toContain('Console connection from 127.0.0.1 refused: already 3 connections from 127.0.0.1');
    // Another loopback address is another client.
    const other = await rawConnect(running.port, { localAddress: '127.0.0.2' });
    other.socket.write('GET /api/trpc/auth.me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await other.closed;
    expect(other.received()).toMatch(/^HTTP\/1\.1 200 /);
    // Once one of the three closes, the address gets in again.
    first[0]!.socket.destroy();
    await first[0]!.closed;
    const again = await rawConnect(running.port);
    again.socket.write('GET /api/trpc/auth.me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await again.closed;
    expect(again.received()).toMatch(/^HTTP\/1\.1 200 /);
    for (const c of first) c.socket.destroy();
  });

  it('refuses the connection beyond WARREN_HTTP_MAX_CONNECTIONS from any address', async () => {
    running = await startTestHttp({ WARREN_HTTP_MAX_CONNECTIONS: '2' });
    const open = [await rawConnect(running.port, { localAddress: '127.0.0.2' }), await rawConnect(running.port, { localAddress: '127.0.0.3' })];
    const third = await rawConnect(running.port, { localAddress: '127.0.0.4' });
    await third.closed;
    expect(third.received()).toContain('already 2 connections in all (the cap set by WARREN_HTTP_MAX_CONNECTIONS (or --http-max-connections))');
    for (const c of open) c.socket.destroy();
  });

  it('listens on both loopback addresses for host localhost', async () => {
    running = await startTestHttp({}, { host: 'localhost' });
    for (const host of ['127.0.0.1', '[::1]']) {
      const res = await fetch(`http://${host}:${running.port}/api/trpc/auth.me`);
      expect(res.status).toBe(200);
    }
  });

  it('serves HTTPS when WARREN_TLS_CERT and WARREN_TLS_KEY are set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-tls-'));
    try {
      const { certFile, keyFile, cert: ca } = selfSignedCertificate(dir);
      running = await startTestHttp({ WARREN_TLS_CERT: certFile, WARREN_TLS_KEY: keyFile }, { tls: true });
      expect(running.url).toMatch(/^https:/);
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) =>
          https
            .get(`https://localhost:${running!.port}${path}`, { ca }, (res) => {
              let body = '';
              res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
            })
            .on('error', reject),
        );
      const signIn = await new Promise<string[]>((resolve, reject) => {
        const req = https.request(
          `https://localhost:${running!.port}/api/trpc/auth.signIn`,
          { ca, method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.headers['set-cookie'] ?? []);
          },
        );
        req.on('error', reject).end(JSON.stringify({ name: 'guest', password: 'guest' }));
      });
      expect(signIn[0]).toMatch(/^warren_session=.+; HttpOnly; SameSite=Strict; .*Secure/);
      const metrics = await get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('warren_connections 0');
      expect((await get('/')).body).toContain('console page');
      // Plain HTTP on the HTTPS port gets nothing useful.
      await expect(fetch(`http://127.0.0.1:${running.port}/metrics`)).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
