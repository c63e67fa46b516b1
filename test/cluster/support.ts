// Helpers for the cluster tests: cluster nodes as child processes
// (node-process.ts, or server/main.ts itself for start errors), and one node
// inside the test process, to reach its engine, users and API.

import amqp, { type ChannelModel } from 'amqplib';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startAmqpServer } from '../../server/amqp/server';
import { Users } from '../../server/auth/users';
import { AccessControl } from '../../server/broker/access/access-control';
import type { Broker } from '../../server/broker/broker';
import { ClusterNode } from '../../server/cluster/cluster-node';
import type { Services } from '../../server/services';
import { clientCount, localConnectionRows } from '../../server/api/connection-rows';
import { openMetadataDb } from '../../server/store/db';
import { openDurableBroker } from '../../server/store/recovery';
import { freshPostgresDatabase } from '../db/helpers';
import { testServices } from '../support/services';

const NODE_PROCESS = fileURLToPath(new URL('./node-process.ts', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../server/main.ts', import.meta.url));

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Long enough for the other nodes to read a new queue and its lease (feed within a second, owners after each 1 s heartbeat). */
export const SETTLE_MS = 2_500;

export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'warren-cluster-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment of a cluster node on loopback with ephemeral ports. */
export function nodeEnv(databaseUrl: string, name: string, dataDir: string): Record<string, string> {
  return { WARREN_CLUSTER: 'true', DATABASE_URL: databaseUrl, WARREN_NODE_NAME: name, WARREN_DATA_DIR: dataDir, HOST: '127.0.0.1', AMQP_PORT: '0', PORT: '0' };
}

export interface NodeProcess {
  name: string;
  pid: number;
  url: string;
  output: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (a clean stop) and wait for the exit. */
  stop(): Promise<number | null>;
}

/** Starts node-process.ts; resolves once it prints "ready <port>", rejects with its output if it exits first. */
export function spawnNode(env: Record<string, string>): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE_PROCESS], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const { output, exited } = collect(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const ready = output.map((line) => /^ready (\d+)$/.exec(line)).find((m) => m !== null);
      if (!ready) return;
      resolve({
        name: env.WARREN_NODE_NAME!,
        pid: child.pid!,
        url: `amqp://guest:guest@127.0.0.1:${ready[1]}`,
        output,
        exited,
        signal: (signal) => child.kill(signal),
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`node exited (${code}) before ready:\n${output.join('\n')}`)));
  });
}

/** Runs a process to its end: its exit code and what it wrote to stderr. */
export async function runToExit(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

function collect(child: ChildProcess): { output: string[]; exited: Promise<number | null> } {
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    output.push(...lines);
  });
  child.stderr!.on('data', (chunk: Buffer) => output.push(...chunk.toString().trimEnd().split('\n')));
  return { output, exited };
}

export interface InProcessNode {
  broker: Broker;
  users: Users;
  services: Services;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

/** A cluster node in this process, wired as node-process.ts wires one. */
export async function openInProcessNode(databaseUrl: string, name: string, dataDir: string): Promise<InProcessNode> {
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const cluster = await ClusterNode.connect({
    databaseUrl,
    nodeName: name,
    dataDir,
    version: 'test',
    addresses: { amqp: '127.0.0.1:0', http: '127.0.0.1:0' },
    log,
    onNameLost: log,
  });
  const db = await openMetadataDb({ databaseUrl, dataDir, log, applicationName: name });
  await cluster.join();
  const access = new AccessControl();
  const users = new Users(db, access);
  await users.load();
  const { broker, store } = await openDurableBroker({ dataDir, db, nodeName: name, access, log, wrapStore: (own) => cluster.messageStore(own) });
  await cluster.run({ broker, store, users }, () => ({ connections: clientCount(broker), memoryBytes: process.memoryUsage().rss }));
  const amqp = await startAmqpServer({
    broker,
    host: '127.0.0.1',
    port: 0,
    authenticate: (user, password, peer) => cluster.authenticate(user, password, async () => (await users.authenticate(user, password, peer)).ok),
    claims: cluster.claims,
  });
  cluster.attachClients(amqp);
  cluster.setAddresses({ amqp: `127.0.0.1:${amqp.port}`, http: '127.0.0.1:0' });
  const services: Services = { ...testServices(broker, db, { users }), cluster, listeners: { amqp: `127.0.0.1:${amqp.port}`, http: '' } };
  cluster.connections.attach({ rows: () => localConnectionRows(services), close: (id, reason) => broker.closeConnection(id, reason) });
  return {
    broker,
    users,
    services,
    url: `amqp://guest:guest@127.0.0.1:${amqp.port}`,
    logs,
    async close() {
      await amqp.close();
      await cluster.leave();
      broker.close();
      await store.close();
      await db.close();
    },
  };
}

/** Polls `check` until it returns true; resolves with the milliseconds it took, rejects after `timeoutMs`. */
export async function within(timeoutMs: number, what: string, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What one describe block of cluster tests runs on: a fresh database on the
 * TEST_DATABASE_URL server with an admin connection to it, node processes and
 * in-process nodes, their data directories, and AMQP clients. `open` in
 * beforeAll, `close` in afterAll ends all of them (a paused node is resumed
 * first, so that it can stop).
 */
export class ClusterFixture {
  private database: Awaited<ReturnType<typeof freshPostgresDatabase>> | null = null;
  private client: pg.Client | null = null;
  private readonly dirs: ReturnType<typeof makeDataDir>[] = [];
  private readonly processes: NodeProcess[] = [];
  private readonly inProcess: InProcessNode[] = [];
  private readonly clients: ChannelModel[] = [];

  constructor(private readonly baseUrl: string) {}

  async open(): Promise<void> {
    this.database = await freshPostgresDatabase(this.baseUrl);
    this.client = new pg.Client({ connectionString: this.database.url });
    await this.client.connect();
  }

  /** The database the nodes share. */
  get url(): string {
    if (this.database === null) throw new Error('ClusterFixture.open first');
    return this.database.url;
  }

  /** A connection to the nodes' database, for checking what they wrote. */
  get admin(): pg.Client {
    if (this.client === null) throw new Error('ClusterFixture.open first');
    return this.client;
  }

  /** A new, empty data directory (pass it to `start` again to restart a node on it). */
  dataDir(): string {
    const dir = makeDataDir();
    this.dirs.push(dir);
    return dir.dir;
  }

  /** Starts node-process.ts as node `name`, on a new data directory unless given one. */
  async start(name: string, dataDir = this.dataDir(), env: Record<string, string> = {}): Promise<NodeProcess> {
    const node = await spawnNode({ ...nodeEnv(this.url, name, dataDir), ...env });
    this.processes.push(node);
    return node;
  }

  /** The node whose live incarnation holds the queue's lease (undefined during a take-over). */
  async ownerOf(queue: string): Promise<string | undefined> {
    const rows = await this.admin.query<{ node: string }>(
      `SELECT l.node FROM warren_cluster.queue_lease l
         JOIN warren_cluster.cluster_node n ON n.name = l.node AND n.incarnation = l.incarnation AND n.lease_expires_at > now()
         JOIN public."Queue" q ON q.id = l.queue_id
        WHERE q.name = $1`,
      [queue],
    );
    return rows.rows[0]?.node;
  }

  /** The process started last as node `name`. */
  process(name: string): NodeProcess | undefined {
    return this.processes.findLast((p) => p.name === name);
  }

  /** A node in this process, to reach its engine, users and console API. */
  async startInProcess(name: string): Promise<InProcessNode> {
    const node = await openInProcessNode(this.url, name, this.dataDir());
    this.inProcess.push(node);
    return node;
  }

  /** An amqplib connection, closed by `close`; its errors are left to the test's assertions. */
  async connect(url: string): Promise<ChannelModel> {
    const connection = await amqp.connect(url);
    connection.on('error', () => {});
    this.clients.push(connection);
    return connection;
  }

  async close(): Promise<void> {
    for (const c of this.clients) await c.close().catch(() => {});
    for (const node of this.inProcess) await node.close();
    for (const p of this.processes) {
      p.signal('SIGCONT');
      await p.stop();
    }
    await this.client?.end();
    await this.database?.drop();
    for (const d of this.dirs) d.remove();
  }
}
