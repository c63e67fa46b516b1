import { readFileSync } from 'node:fs';
import http from 'node:http';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { startAmqpServer } from '../amqp/server';
import { startTestHttp, type TestHttp } from './test-support';

let running: TestHttp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const MiB = 1024 * 1024;

/**
 * POSTs a body of `size` bytes as fast as the server takes it (1 MiB writes,
 * waiting for drain). Resolves with the answer and how many bytes went out
 * before the server answered and closed the connection.
 */
function upload(url: string, size: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string; written: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(size), ...headers } });
    let written = 0;
    let answered = false;
    const chunk = Buffer.alloc(MiB, 0x20);
    const pump = () => {
      while (!answered && written < size) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, written, ms: performance.now() - started }));
      res.on('error', () => resolve({ status: res.statusCode!, body, written, ms: performance.now() - started }));
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    pump();
  });
}

describe('request bodies', () => {
  it('refuses a 100 MB POST without a session before reading it, while AMQP round trips stay fast', async () => {
    running = await startTestHttp();
    const broker = running.services.broker;
    const amqpServer = await startAmqpServer({ broker, host: '127.0.0.1', port: 0 });
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${amqpServer.port}`);
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('probe');
      const roundTrips: number[] = [];
      let probing = true;
      const probe = (async () => {
        while (probing) {
          const t = performance.now();
          await ch.checkQueue('probe');
          roundTrips.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const rssBefore = process.memoryUsage().rss;

      // A protected procedure: refused for want of a session.
      const protectedCall = await upload(`${running.url}/api/trpc/queues.purge?batch=1`, 100 * MiB);
      // The sign-in procedure is open to anyone, with a body small enough for a name and a password.
      const signIn = await upload(`${running.url}/api/trpc/auth.signIn`, 100 * MiB);
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      probing = false;
      await probe;

      expect(protectedCall.status).toBe(401);
      expect(JSON.parse(protectedCall.body)[0].error).toMatchObject({
        message: 'Sign in to use the console.',
        data: { code: 'UNAUTHORIZED', httpStatus: 401 },
      });
      expect(signIn.status).toBe(413);
      expect(JSON.parse(signIn.body).error.message).toBe('Request body of 104857600 bytes is over 16384 bytes, the limit without a session.');
      // The connection was closed long before the body was sent (what the kernel buffers is all that went).
      for (const r of [protectedCall, signIn]) expect(r.written).toBeLessThan(20 * MiB);
      expect(rssGrowth).toBeLessThan(50 * MiB);
      expect(Math.max(...roundTrips)).toBeLessThan(250);
    } finally {
      await conn.close();
      await amqpServer.close();
    }
  });

  it('lets a sign-in through without a session', async () => {
    running = await startTestHttp();
    const res = await fetch(`${running.url}/api/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'guest', password: 'guest' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^warren_session=/);
  });

  it('answers 413 to a signed-in body over WARREN_HTTP_MAX_BODY, naming the setting', async () => {
    running = await startTestHttp({ WARREN_HTTP_MAX_BODY: '1MB' });
    const res = await upload(`${running.url}/api/trpc/queues.purge`, 30 * MiB, { cookie: running.cookie });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toBe(
      'Request body of 31457280 bytes is over 1000000 bytes, the limit set by WARREN_HTTP_MAX_BODY (or --http-max-body).',
    );
    expect(res.written).toBeLessThan(20 * MiB);
    // Under the limit, the body reaches the procedure.
    const ok = await fetch(`${running.url}/api/trpc/queues.purge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: running.cookie },
      body: JSON.stringify({ vhost: '/', name: 'missing' }),
    });
    expect(ok.status).not.toBe(413);
  });

  it('lets a definitions upload be as large as WARREN_DEFINITIONS_MAX_BODY, and only that procedure', async () => {
    running = await startTestHttp({ WARREN_HTTP_MAX_BODY: '1MB', WARREN_DEFINITIONS_MAX_BODY: '8MB' });
    // A real definitions file padded to 3 MB: over the general limit, under the definitions one.
    const fixture = readFileSync(new URL('../../test/fixtures/rabbitmq-3.10-definitions.json', import.meta.url), 'utf8');
    const body = JSON.stringify({ text: fixture + ' '.repeat(3 * 1000 * 1000) });
    const post = (procedure: string) =>
      fetch(`${running!.url}/api/trpc/${procedure}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: running!.cookie }, body });
    const preview = await post('definitions.preview');
    expect(preview.status).toBe(200);
    expect((await preview.json()).result.data).toMatchObject({ valid: true, applied: false, rabbitVersion: '3.10.8' });
    const elsewhere = await post('queues.purge');
    expect(elsewhere.status).toBe(413);
    expect((await elsewhere.json()).error.message).toMatch(/the limit set by WARREN_HTTP_MAX_BODY \(or --http-max-body\)/);
    const tooBig = await upload(`${running.url}/api/trpc/definitions.import`, 30 * MiB, { cookie: running.cookie });
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body).error.message).toBe(
      'Request body of 31457280 bytes is over 8000000 bytes, the limit set by WARREN_DEFINITIONS_MAX_BODY (or --definitions-max-body).',
    );
  });

  it('answers 503 to bodies beyond WARREN_HTTP_MAX_BODIES_IN_FLIGHT, and takes them again once those have arrived', async () => {
    running = await startTestHttp({ WARREN_HTTP_MAX_BODIES_IN_FLIGHT: '2' });
    const url = new URL(`${running.url}/api/trpc/queues.purge`);
    const open = () => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000', cookie: running!.cookie } });
      req.on('error', () => {});
      req.write('{"vhost":'); // the rest never comes: this body stays in flight
      return req;
    };
    const slow = [open(), open()];
    await new Promise((r) => setTimeout(r, 200));
    const refused = await upload(url.href, 1000, { cookie: running.cookie });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.message).toBe(
      '2 request bodies are being received, the most WARREN_HTTP_MAX_BODIES_IN_FLIGHT (or --http-max-bodies-in-flight) allows: try again in a moment.',
    );
    for (const req of slow) req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await upload(url.href, 10, { cookie: running.cookie });
    expect(again.status).not.toBe(503);
  });

  it('asks for a Content-Length instead of reading a chunked body', async () => {
    running = await startTestHttp();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${running!.url}/api/trpc/queues.purge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: running!.cookie },
      });
      req.on('response', resolve).on('error', reject);
      req.write('{"vhost":"/",'); // no Content-Length: Node sends it chunked
    });
    expect(res.statusCode).toBe(411);
  });
});

describe('cross-site requests and page headers', () => {
  const post = (url: string, headers: Record<string, string>, body = '{}') => fetch(url, { method: 'POST', headers, body });

  it('refuses a POST whose Origin is another site, with a message', async () => {
    running = await startTestHttp();
    const res = await post(
      `${running.url}/api/trpc/auth.signIn`,
      {
        'content-type': 'application/json',
        origin: 'http://evil.example',
      },
      JSON.stringify({ name: 'guest', password: 'guest' }),
    );
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe(`Cross-site request refused: Origin http://evil.example is not this console (127.0.0.1:${running.port}).`);
    expect(res.headers.get('set-cookie')).toBeNull();
    // The console's own origin is fine.
    const own = await post(
      `${running.url}/api/trpc/auth.signIn`,
      { 'content-type': 'application/json', origin: running.url },
      JSON.stringify({ name: 'guest', password: 'guest' }),
    );
    expect(own.status).toBe(200);
  });

  it('refuses a cross-site multipart POST to auth.signOut, and a multipart one without Origin too', async () => {
    running = await startTestHttp();
    const form = new FormData();
    form.set('x', '1');
    const crossSite = await fetch(`${running.url}/api/trpc/auth.signOut`, {
      method: 'POST',
      headers: { cookie: running.cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      body: form,
    });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.message).toBe('Cross-site request refused: the browser says it comes from a cross-site page.');
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    const noOrigin = await fetch(`${running.url}/api/trpc/auth.signOut`, { method: 'POST', headers: { cookie: running.cookie }, body: form });
    expect(noOrigin.status).toBe(415);
    expect((await noOrigin.json()).error.message).toMatch(/^API calls that change something must be sent as application\/json, not multipart\/form-data/);
  });

  it('refuses a Host that is not this machine (DNS rebinding), unless listed in WARREN_HTTP_ALLOWED_HOSTS', async () => {
    running = await startTestHttp({ WARREN_HTTP_ALLOWED_HOSTS: 'warren.example.com' });
    const signIn = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify({ name: 'guest', password: 'guest' });
        const req = http.request(`${running!.url}/api/trpc/auth.signIn`, {
          method: 'POST',
          headers: { host, 'content-type': 'application/json', 'content-length': String(body.length) },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const foreign = await signIn('rebind.evil.example:15672');
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.message).toMatch(
      /^Host "rebind\.evil\.example:15672" is not a name this console answers to .*WARREN_HTTP_ALLOWED_HOSTS/,
    );
    expect((await signIn('warren.example.com')).status).toBe(200);
    expect((await signIn(`localhost:${running.port}`)).status).toBe(200);
  });

  it('sends X-Frame-Options DENY and a CSP with frame-ancestors none on pages and API answers', async () => {
    running = await startTestHttp();
    for (const path of ['/', '/queues', '/api/trpc/auth.me']) {
      const res = await fetch(`${running.url}${path}`);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
