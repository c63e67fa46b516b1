// Benchmark C1 of docs/cluster.md: confirmed persistent publish → consume
// (msg/s) on Warren cluster nodes sharing one PostgreSQL, for 1, 2 and 3
// nodes, against single-node Warren with its journal and against a
// three-node RabbitMQ 3.10 cluster with quorum queues, all on this machine,
// with the same load generator (bench/load/). On a cluster, a pair's
// publisher connects to one node and its consumer to the next, so messages
// cross nodes whenever there is more than one. For Warren on PostgreSQL the
// result also says where the time went: PostgreSQL's commits per second and
// messages per commit (pg_stat_database), and each node's CPU.
// Run: npx tsx bench/cluster-c1.ts [--quick]
// Needs PostgreSQL (scripts/start-test-postgres.sh brings it up) and
// Debian's rabbitmq-server for the RabbitMQ row.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startWarren, type RunningBroker } from './amqp-peers';
import { loadClient } from './load/client';
import { runLoad, type Flow, type LoadResult } from './load/generator';
import { startRabbitCluster } from './rabbitmq-cluster';

const quick = process.argv.includes('--quick');
const PAIRS = quick ? [1] : [1, 10];
const NODE_COUNTS = [1, 2, 3];
const SECONDS = quick ? 3 : 6;
const CONFIRM_WINDOW = 500;
const DATABASE = 'warren_bench_c1';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_PROCESS = path.join(root, 'test/cluster/node-process.ts');

function postgresUrl(): string {
  return execFileSync('bash', [path.join(root, 'scripts/start-test-postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** A database of its own for one cluster (a new name each time, so nothing is left from a run before). */
async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops it once the nodes are gone; a session that lingers (autovacuum) gets a few seconds, then it is left with a message. */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        return;
      } catch (err) {
        if (attempt === 10) {
          console.error(`C1: could not drop database ${name} (${(err as Error).message}); drop it by hand`);
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await admin.end();
  }
}

async function commits(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ xact_commit: string }>('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()');
  await client.end();
  return Number(rows[0]!.xact_commit);
}

function spawnNode(databaseUrl: string, name: string): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `warren-c1-${name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', NODE_PROCESS], {
    cwd: root,
    env: {
      ...process.env,
      WARREN_CLUSTER: 'true',
      DATABASE_URL: databaseUrl,
      WARREN_NODE_NAME: name,
      WARREN_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      AMQP_PORT: '0',
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^ready (\d+)$/m.exec(out);
      if (m) resolve({ port: Number(m[1]), pid: child.pid!, stop });
    });
    child.once('exit', (code) => reject(new Error(`cluster node ${name} exited with ${code} before it was ready:\n${out}`)));
  });
}

async function startWarrenCluster(adminUrl: string, size: number): Promise<RunningBroker & { databaseUrl: string }> {
  const database = `${DATABASE}_${process.pid}_${size}`;
  const databaseUrl = await createDatabase(adminUrl, database);
  const nodes: Awaited<ReturnType<typeof spawnNode>>[] = [];
  // One at a time: the first creates the cluster's schema.
  for (let i = 1; i <= size; i++) nodes.push(await spawnNode(databaseUrl, `c1-node-${i}`));
  return {
    name: `Warren ×${size} (PostgreSQL)`,
    url: `amqp://guest:guest@127.0.0.1:${nodes[0]!.port}`,
    nodes: nodes.map((n) => ({ port: n.port, pid: n.pid })),
    databaseUrl,
    stop: async () => {
      for (const n of nodes) await n.stop();
      await dropDatabase(adminUrl, database);
    },
  };
}

const flow = (pairs: number, quorum: boolean): Flow => {
  const processes = Math.min(3, pairs);
  const side = { processes, connections: Math.ceil(pairs / processes) };
  return {
    label: 'c1',
    prefix: 'c1-',
    queues: pairs,
    queueArguments: quorum ? { 'x-queue-type': 'quorum' } : undefined,
    publishers: { ...side, persistent: true, confirmWindow: CONFIRM_WINDOW },
    consumers: side,
  };
};

interface Row {
  broker: string;
  pairs: number;
  result: LoadResult;
  /** PostgreSQL commits per second and confirmed messages per commit, for Warren on PostgreSQL. */
  postgres?: { commitsPerSecond: number; messagesPerCommit: number };
}

const client = loadClient();
const rows: Row[] = [];

async function measure(broker: RunningBroker, quorum: boolean, databaseUrl?: string): Promise<void> {
  for (const pairs of PAIRS) {
    const before = databaseUrl ? await commits(databaseUrl) : 0;
    const result = await runLoad(broker, client, [flow(pairs, quorum)], { seconds: SECONDS, drainSeconds: 30 });
    const row: Row = { broker: broker.name, pairs, result };
    if (databaseUrl) {
      const committed = (await commits(databaseUrl)) - before;
      row.postgres = {
        commitsPerSecond: Math.round(committed / result.seconds),
        messagesPerCommit: +(result.flows[0]!.published / Math.max(1, committed)).toFixed(1),
      };
    }
    const f = result.flows[0]!;
    console.error(`C1 ${broker.name}, ${pairs} pair(s): ${f.msgPerSec} msg/s, confirm p99 ${f.confirmMs?.p99} ms, ${f.nacked} nacked, ${result.verdict}`);
    rows.push(row);
  }
}

const adminUrl = postgresUrl();
const single = await startWarren();
try {
  await measure(single, false);
} finally {
  await single.stop();
}
for (const size of NODE_COUNTS) {
  const cluster = await startWarrenCluster(adminUrl, size);
  try {
    await measure(cluster, false, cluster.databaseUrl);
  } finally {
    await cluster.stop();
  }
}
const rabbit = await startRabbitCluster(3);
if (rabbit) {
  try {
    await measure(rabbit, true);
  } finally {
    await rabbit.stop();
  }
}

const rabbitRate = (pairs: number) => rows.find((r) => r.broker.startsWith('RabbitMQ') && r.pairs === pairs)?.result.flows[0]?.msgPerSec;
const lines = [
  `Load generator client: ${client.name}. Confirmed persistent messages, 256 B, confirm window ${CONFIRM_WINDOW}; on clusters each publisher and its consumer are on different nodes.`,
  '',
  '| broker | pairs | msg/s | confirm p50 / p99 | vs RabbitMQ ×3 | PostgreSQL | CPU | verdict |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const r of rows) {
  const f = r.result.flows[0]!;
  const peer = rabbitRate(r.pairs);
  const ratio = peer && !r.broker.startsWith('RabbitMQ') ? `${(f.msgPerSec / peer).toFixed(2)}×` : '—';
  const pgCell = r.postgres ? `${r.postgres.commitsPerSecond} commits/s, ${r.postgres.messagesPerCommit} msg/commit` : '—';
  const cpu = `broker ${r.result.brokerCpuPercent}%, machine ${r.result.machineBusyPercent}%`;
  lines.push(
    `| ${r.broker} | ${r.pairs} | ${f.msgPerSec}${f.allDelivered ? '' : ' (not all delivered)'}${f.nacked ? ` (${f.nacked} nacked)` : ''} | ${f.confirmMs?.p50} / ${f.confirmMs?.p99} ms | ${ratio} | ${pgCell} | ${cpu} | ${r.result.verdict} |`,
  );
}
if (!rabbit) lines.push('', 'RabbitMQ ×3 was not run (see the reason above): no ratios.');
console.log(lines.join('\n'));
console.log(JSON.stringify({ workload: 'C1', date: new Date().toISOString(), quick, client: client.name, rows }));
