import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { logAcceptErrors } from '../../server/listeners';
import { selfSignedCertificate } from '../support/self-signed';
import { waitFor, withBroker } from './helpers';

/** Connects, declares a queue, publishes and gets the message back: what "it works" means here. */
async function roundTrip(url: string, socketOptions: object = {}): Promise<string> {
  const conn = await amqp.connect(url, socketOptions);
  try {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('hello'));
    const got = await waitFor(() => ch.get(queue, { noAck: true }), 2000, 'the message');
    return got ? got.content.toString() : '';
  } finally {
    await conn.close();
  }
}

/** Opens raw TCP sockets to the port and tells how many the server closed at once. */
async function openSockets(port: number, n: number, localAddress?: string): Promise<{ sockets: net.Socket[]; closedAtOnce: number }> {
  const sockets: net.Socket[] = [];
  let closed = 0;
  for (let i = 0; i < n; i++) {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.on('error', () => {});
    s.on('close', () => closed++);
    sockets.push(s);
  }
  await Promise.all(sockets.map((s) => new Promise((r) => (s.readyState === 'open' ? r(null) : s.once('connect', r).once('close', r)))));
  await new Promise((r) => setTimeout(r, 300));
  return { sockets, closedAtOnce: closed };
}

describe('AMQP listeners', () => {
  it('listens on both loopback addresses for host localhost', async () => {
    await withBroker(
      async ({ port }) => {
        expect(await roundTrip(`amqp://guest:guest@127.0.0.1:${port}`)).toBe('hello');
        expect(await roundTrip(`amqp://guest:guest@[::1]:${port}`)).toBe('hello');
      },
      { host: 'localhost' },
    );
  });

  it('closes the connection beyond the per-address cap at once, logging why; other addresses still connect', async () => {
    const logged: string[] = [];
    await withBroker(
      async ({ url, server }) => {
        const [a, b] = [await amqp.connect(url), await amqp.connect(url)];
        await expect(amqp.connect(url)).rejects.toThrow();
        expect(logged.join('\n')).toContain('AMQP connection from 127.0.0.1 refused: already 2 connections from 127.0.0.1 (the cap set by PER_ADDRESS)');
        expect(await roundTrip(url, { localAddress: '127.0.0.2' })).toBe('hello');
        await a.close();
        await waitFor(() => server.connectionCount === 1, 2000, 'the closed connection to be gone');
        expect(await roundTrip(url)).toBe('hello');
        await b.close();
      },
      { host: '127.0.0.1', maxConnectionsPerAddress: 2, capSettings: { total: 'TOTAL', perAddress: 'PER_ADDRESS' }, log: (l) => logged.push(l) },
    );
  });

  it('closes the connection beyond the total cap, whatever its address', async () => {
    const logged: string[] = [];
    await withBroker(
      async ({ url, port }) => {
        const { sockets, closedAtOnce } = await openSockets(port, 5, '127.0.0.3');
        expect(closedAtOnce).toBe(2);
        expect(logged[0]).toBe('AMQP connection from 127.0.0.3 refused: already 3 connections in all (the cap set by the maxConnections option)');
        await expect(amqp.connect(url)).rejects.toThrow();
        for (const s of sockets) s.destroy();
        await new Promise((r) => setTimeout(r, 100));
        expect(await roundTrip(url)).toBe('hello');
      },
      { host: '127.0.0.1', maxConnections: 3, log: (l) => logged.push(l) },
    );
  });

  it('logs a failed accept (EMFILE) instead of throwing, and keeps accepting', async () => {
    const logged: string[] = [];
    const server = net.createServer((s) => s.end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    logAcceptErrors(server, 'AMQP', (l) => logged.push(l));
    server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }));
    server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }));
    expect(logged).toEqual([
      'AMQP listener cannot accept a connection: EMFILE, out of file descriptors; raise the limit (ulimit -n) or lower the connection caps',
    ]);
    const { port } = server.address() as net.AddressInfo;
    const reply = await new Promise<string>((r) => net.connect(port, '127.0.0.1').on('data', (d) => r(String(d))));
    expect(reply).toBe('hi');
    await new Promise((r) => server.close(r));
  });

  it('survives running out of file descriptors for real, and under its cap never gets there', { timeout: 60_000 }, async () => {
    // A broker of its own under `ulimit -n 100`, opened to with 150 sockets. Out of
    // descriptors, libuv closes what it cannot accept and reports EMFILE only when
    // its spare descriptor is gone too: the test above covers that report.
    const run = async (cap: number) => {
      const child = spawn('sh', ['-c', `ulimit -n 100 && exec "${process.execPath}" --import tsx test/amqp/accept-child.ts ${cap}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      try {
        const port = Number((await waitFor(() => /port (\d+)/.exec(out), 20_000, 'the child broker'))?.[1]);
        const { sockets } = await openSockets(port, 150);
        await new Promise((r) => setTimeout(r, 300));
        expect(child.exitCode).toBeNull();
        for (const s of sockets) s.destroy();
        await new Promise((r) => setTimeout(r, 300));
        expect(await roundTrip(`amqp://guest:guest@127.0.0.1:${port}`)).toBe('hello');
        return out;
      } finally {
        child.kill();
      }
    };
    expect(await run(0)).toMatch(/^port \d+\n$/); // alive, nothing thrown
    const capped = await run(40);
    expect(capped).not.toContain('EMFILE');
    expect(capped).toContain('AMQP connection from 127.0.0.1 refused: already 40 connections in all');
  });

  it('speaks AMQPS with the certificate and key given, beside plain AMQP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-amqps-'));
    try {
      const { cert, certFile, keyFile } = selfSignedCertificate(dir);
      const files = loadConfig([], { WARREN_TLS_CERT: certFile, WARREN_TLS_KEY: keyFile }).tls!;
      await withBroker(
        async ({ server, url }) => {
          expect(await roundTrip(`amqps://guest:guest@localhost:${server.tlsPort}`, { ca: [cert] })).toBe('hello');
          expect(await roundTrip(url)).toBe('hello');
          // A client that does not trust the certificate refuses it.
          await expect(amqp.connect(`amqps://guest:guest@localhost:${server.tlsPort}`)).rejects.toThrow(/self.signed certificate/);
        },
        { host: '127.0.0.1', tls: { files, port: 0 } },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks AMQPS clients for a certificate signed by WARREN_TLS_CA, and refuses those without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-amqps-'));
    try {
      const serverPair = selfSignedCertificate(dir, 'server');
      const clientPair = selfSignedCertificate(dir, 'client'); // self-signed: its own CA
      const files = loadConfig([], { WARREN_TLS_CERT: serverPair.certFile, WARREN_TLS_KEY: serverPair.keyFile, WARREN_TLS_CA: clientPair.certFile }).tls!;
      await withBroker(
        async ({ server }) => {
          const url = `amqps://guest:guest@localhost:${server.tlsPort}`;
          expect(await roundTrip(url, { ca: [serverPair.cert], cert: clientPair.cert, key: readFileSync(clientPair.keyFile) })).toBe('hello');
          await expect(roundTrip(url, { ca: [serverPair.cert] })).rejects.toThrow();
        },
        { host: '127.0.0.1', tls: { files, port: 0 } },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
