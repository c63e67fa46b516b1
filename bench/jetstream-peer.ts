// NATS JetStream, the peer of workload W5 (docs/benchmarks.md): nats-server from
// Debian (installed when missing), started on loopback only with JetStream and
// a file store in a temp dir of its own, and the `nats` npm client.
//
// A peer goes: (installed) → started (child process + temp dir, client
// connected, file-backed stream created) → stopped (client closed, server
// terminated, temp dir removed). stop() works whatever state a failed
// benchmark left the peer in. When the server cannot be installed or started,
// startJetStream throws PeerUnavailable, whose message says why.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StorageType, type NatsConnection, type PubAck } from 'nats';

const STREAM = 'w5';
const SUBJECT = 'w5.data';
const READY_TIMEOUT_MS = 20_000;
const READ_TIMEOUT_MS = 300_000;

export class PeerUnavailable extends Error {}

export interface JetStreamPeer {
  /** nats-server's version line, e.g. "nats-server: v2.9.10". */
  version: string;
  /** Publishes `count` copies of `body` with acks, waiting for all acks every `window` messages. */
  append(count: number, body: Buffer, window: number): Promise<void>;
  /** Reads the whole stream from its first message with an ordered consumer; resolves with the bytes read. */
  readAll(count: number, buffer: number): Promise<number>;
  stop(): Promise<void>;
}

function serverVersion(): string | null {
  try {
    return execFileSync('nats-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** nats-server's version, installing it from Debian first when it is missing. */
function installedVersion(): string {
  const present = serverVersion();
  if (present) return present;
  const install = () => execFileSync('apt-get', ['install', '-y', 'nats-server'], { stdio: 'ignore' });
  try {
    try {
      install();
    } catch {
      // The package lists may be stale or absent: refresh them once and retry.
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      install();
    }
  } catch (error) {
    throw new PeerUnavailable(`apt-get install -y nats-server failed (${(error as Error).message.split('\n')[0]})`);
  }
  const version = serverVersion();
  if (!version) throw new PeerUnavailable('nats-server is not on the PATH after apt-get install');
  return version;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts nats-server on loopback with JetStream storing in `dir`; resolves once it logs that it is ready. */
async function startServer(port: number, dir: string): Promise<() => Promise<void>> {
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let log = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code}: ${log.trim().split('\n').slice(-3).join(' | ')}`));
      });
    });
  } catch (error) {
    await stop();
    throw new PeerUnavailable(`nats-server did not start (${(error as Error).message})`);
  }
  child.stderr.resume(); // keep draining its log so it never blocks on a full pipe
  return stop;
}

async function append(nc: NatsConnection, count: number, body: Buffer, window: number): Promise<void> {
  const js = nc.jetstream();
  let pending: Promise<PubAck>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(js.publish(SUBJECT, body));
    if (pending.length === window || i === count - 1) {
      await Promise.all(pending); // a failed publish rejects: the benchmark fails rather than count it
      pending = [];
    }
  }
}

async function readStream(nc: NatsConnection, count: number, buffer: number): Promise<number> {
  // Without options an ordered consumer starts at the stream's first message.
  // (Asking for DeliverPolicy.All makes the client send it with a start
  // sequence, which nats-server 2.9 refuses; the client then retries quietly.)
  const consumer = await nc.jetstream().consumers.get(STREAM);
  const messages = await consumer.consume({ max_messages: buffer });
  let read = 0;
  let bytes = 0;
  for await (const message of messages) {
    bytes += message.data.length;
    if (++read === count) break;
  }
  await messages.close();
  if (read !== count) throw new Error(`JetStream delivered ${read} of ${count} messages`);
  return bytes;
}

/** readStream with a deadline: the client retries some failures quietly (see above) rather than throwing. */
async function readAll(nc: NatsConnection, count: number, buffer: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`JetStream read not done within ${READ_TIMEOUT_MS / 1000} s`)), READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([readStream(nc, count, buffer), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Installs (when missing) and starts nats-server, connects, and creates the file-backed stream. */
export async function startJetStream(): Promise<JetStreamPeer> {
  const version = installedVersion();
  const dir = mkdtempSync(join(tmpdir(), 'warren-w5-jetstream-'));
  let stopServer: (() => Promise<void>) | null = null;
  let nc: NatsConnection | null = null;
  const stop = async () => {
    await nc?.close().catch(() => {});
    await stopServer?.();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    stopServer = await startServer(port, dir);
    // Without async traces the client builds no Error (and its stack) per acked publish: a third of its CPU.
    nc = await connect({ servers: `127.0.0.1:${port}`, noAsyncTraces: true });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: STREAM, subjects: [SUBJECT], storage: StorageType.File });
  } catch (error) {
    await stop();
    throw error instanceof PeerUnavailable ? error : new PeerUnavailable(`JetStream could not be set up (${(error as Error).message})`);
  }
  const connection = nc;
  return {
    version,
    append: (count, body, window) => append(connection, count, body, window),
    readAll: (count, buffer) => readAll(connection, count, buffer),
    stop,
  };
}
