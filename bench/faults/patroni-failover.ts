// Fault run (docs/cluster.md, Failover test with Patroni and etcd): three
// Warren nodes on a three-member Patroni cluster (Debian's patroni and
// etcd-server, synchronous_mode), confirmed persistent publishing on one node
// and a consumer on another; the PostgreSQL primary's machine is killed
// (kill -9 of its Patroni and its postmaster). Reports the time to a new
// primary, until publishes are confirmed again, and the confirmed messages
// not consumed (expected 0 with synchronous replication), duplicates and
// nacks. The Warren nodes reach the primary through a leader-following TCP
// proxy (what HAProxy with Patroni's /primary check does), since Warren does
// not resolve libpq host lists yet.
// Run (as root; Patroni runs as the postgres user): npx tsx bench/faults/patroni-failover.ts [--asynchronous]
// (--asynchronous: synchronous_mode off, where a failover may lose the last commits.)
// Prints one JSON line; without patroni or etcd it says so and exits 2.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { consumeNumbers, publishNumbers, reconnecting } from '../../test/cluster/failover-clients';
import { makeDataDir, type NodeProcess, nodeEnv, pause, spawnNode } from '../../test/cluster/support';

const BIN = '/usr/lib/postgresql/15/bin';
const MEMBERS = [1, 2, 3].map((n) => ({ name: `pg${n}`, pgPort: 5440 + n, restPort: 8000 + n }));
const ETCD = 'http://127.0.0.1:23790';
const LOAD_BEFORE_KILL_MS = 8_000;
const LOAD_AFTER_KILL_MS = 45_000;
const SYNCHRONOUS = !process.argv.includes('--asynchronous');

const missing = ['patroni', 'etcd'].filter((tool) => !existsSync(`/usr/bin/${tool}`));
if (missing.length > 0 || !existsSync(BIN)) {
  console.log(`skipped: ${[...missing, existsSync(BIN) ? [] : [BIN]].flat().join(', ')} missing (apt-get install -y patroni etcd-server postgresql-15)`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'warren-patroni-'));
chmodSync(dir, 0o777);
const children: ChildProcess[] = [];
const warren: NodeProcess[] = [];
const dirs: ReturnType<typeof makeDataDir>[] = [];
const log: string[] = [];
const start = (command: string, args: string[], name: string) => {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) =>
      log.push(
        ...chunk
          .toString()
          .trimEnd()
          .split('\n')
          .map((l) => `${name}: ${l}`),
      ),
    );
  children.push(child);
  return child;
};

/** The Patroni process of a member of this run (its config file is in this run's directory). */
function patroniPids(m: (typeof MEMBERS)[number]): number[] {
  try {
    return execFileSync('pgrep', ['-u', 'postgres', '-f', `patroni ${join(dir, `${m.name}.yml`)}`])
      .toString()
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when none
  }
}

/** The member whose REST API says it is the primary, if any. */
async function primary(): Promise<(typeof MEMBERS)[number] | undefined> {
  for (const m of MEMBERS) {
    const ok = await fetch(`http://127.0.0.1:${m.restPort}/primary`, { signal: AbortSignal.timeout(300) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return m;
  }
  return undefined;
}

const runStarted = Date.now();
/** Progress on stderr, so that a stuck run shows where. */
const step = (what: string) => console.error(`[${((Date.now() - runStarted) / 1000).toFixed(1)} s] ${what}`);

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) {
      step(what);
      return value;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await pause(100);
  }
}

/** A TCP proxy that sends each new connection to the member answering /primary, and refuses it while none does. */
async function leaderProxy(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer(async (client) => {
    client.pause();
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const leader = await primary();
    if (leader === undefined) return client.destroy();
    const upstream = createConnection({ host: '127.0.0.1', port: leader.pgPort });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
    client.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function memberConfig(m: (typeof MEMBERS)[number]): string {
  return `scope: warren-test
name: ${m.name}
restapi:
  listen: 127.0.0.1:${m.restPort}
  connect_address: 127.0.0.1:${m.restPort}
etcd3:
  hosts: 127.0.0.1:23790
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    synchronous_mode: ${SYNCHRONOUS}
    postgresql:
      use_pg_rewind: false
      parameters:
        synchronous_commit: 'on'
        max_connections: 100
  initdb:
    - encoding: UTF8
postgresql:
  listen: 127.0.0.1:${m.pgPort}
  connect_address: 127.0.0.1:${m.pgPort}
  data_dir: ${dir}/${m.name}
  bin_dir: ${BIN}
  pgpass: ${dir}/pgpass-${m.name}
  authentication:
    replication: { username: replicator, password: rep }
    superuser: { username: postgres, password: postgres }
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 md5
    - host replication replicator 127.0.0.1/32 md5
`;
}

let exitCode = 0;
let proxy: Awaited<ReturnType<typeof leaderProxy>> | undefined;
try {
  start(
    'etcd',
    [
      '--name=e1',
      `--data-dir=${dir}/etcd`,
      `--listen-client-urls=${ETCD}`,
      `--advertise-client-urls=${ETCD}`,
      '--listen-peer-urls=http://127.0.0.1:23800',
      '--initial-advertise-peer-urls=http://127.0.0.1:23800',
      '--initial-cluster=e1=http://127.0.0.1:23800',
    ],
    'etcd',
  );
  await waitFor('etcd healthy', 15_000, () =>
    fetch(`${ETCD}/health`).then(
      (r) => r.ok,
      () => false,
    ),
  );
  for (const m of MEMBERS) {
    writeFileSync(join(dir, `${m.name}.yml`), memberConfig(m));
    start('runuser', ['-u', 'postgres', '--', 'patroni', join(dir, `${m.name}.yml`)], m.name);
    if (m === MEMBERS[0]) await waitFor('pg1 primary, before the replicas start', 60_000, primary);
  }
  const first = await waitFor('a primary with its replicas started', 60_000, primary);
  // Both replicas streaming, one of them synchronous.
  const admin = new pg.Client({ host: '127.0.0.1', port: first.pgPort, user: 'postgres', password: 'postgres', database: 'postgres' });
  await admin.connect();
  await waitFor(`two streaming replicas${SYNCHRONOUS ? ', one synchronous' : ''}`, 90_000, async () => {
    const rows = (await admin.query<{ sync_state: string }>("SELECT sync_state FROM pg_stat_replication WHERE state = 'streaming'")).rows;
    return rows.length === 2 && (!SYNCHRONOUS || rows.some((r) => r.sync_state === 'sync'));
  });
  await admin.query("CREATE ROLE warren LOGIN PASSWORD 'warren'");
  await admin.query('CREATE DATABASE warren OWNER warren');
  await admin.end();

  proxy = await leaderProxy();
  const url = `postgresql://warren:warren@127.0.0.1:${proxy.port}/warren`;
  for (const name of ['w1', 'w2', 'w3']) {
    const data = makeDataDir();
    dirs.push(data);
    warren.push(await spawnNode(nodeEnv(url, name, data.dir)));
  }

  // The nodes' log lines on stderr as they come, with the run's clock.
  const printed = new Map<string, number>();
  const tail = setInterval(() => {
    for (const w of warren) {
      for (const line of w.output.slice(printed.get(w.name) ?? 0)) step(`${w.name}: ${line}`);
      printed.set(w.name, w.output.length);
    }
  }, 200);
  tail.unref();

  const connectToAny = reconnecting(() => warren.map((w) => w.url), 200);
  const setup = await connectToAny();
  await (await setup.createChannel()).assertQueue('ledger');
  await setup.close();
  await pause(2_000);

  const publisher = publishNumbers(connectToAny, 'ledger');
  const consumer = consumeNumbers(connectToAny, 'ledger', 200);
  const { confirmed } = publisher;
  const { received } = consumer;

  await pause(LOAD_BEFORE_KILL_MS);
  const leader = (await primary())!;
  const postmasterPid = Number(readFileSync(join(dir, leader.name, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const patroniPid = patroniPids(leader)[0]!;
  const confirmedAtKill = confirmed.size;
  const killedAt = Date.now();
  process.kill(patroniPid, 'SIGKILL');
  process.kill(postmasterPid, 'SIGKILL');
  const newLeader = await waitFor('a new primary', 120_000, async () => {
    const p = await primary();
    return p && p.name !== leader.name ? p : undefined;
  });
  const newPrimaryMs = Date.now() - killedAt;
  const confirmedAgainMs =
    (await waitFor('publishes confirmed again', 120_000, async () =>
      publisher.lastConfirmAt > killedAt + 0 && confirmed.size > confirmedAtKill + 100 ? publisher.lastConfirmAt : undefined,
    )) - killedAt;
  await pause(Math.max(0, LOAD_AFTER_KILL_MS - (Date.now() - killedAt)));
  await publisher.stop();
  const lost = () => {
    const seen = new Set(received);
    return [...confirmed].filter((i) => !seen.has(i));
  };
  await waitFor('every confirmed message consumed', 60_000, async () => lost().length === 0).catch(() => undefined);
  await consumer.stop();
  const seen = new Set(received);
  const epochs = await (async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = (await c.query<{ epoch: string; takeovers: number }>('SELECT epoch::text, takeovers FROM warren_cluster.queue_lease')).rows;
    await c.end();
    return rows;
  })();
  console.log(
    JSON.stringify({
      run: 'patroni-failover',
      synchronousMode: SYNCHRONOUS,
      killed: leader.name,
      newPrimary: newLeader.name,
      newPrimaryAfterMs: newPrimaryMs,
      confirmedAgainAfterMs: confirmedAgainMs,
      published: publisher.published,
      confirmed: confirmed.size,
      nacks: publisher.nacked,
      received: received.length,
      duplicates: received.length - seen.size,
      confirmedNotConsumed: lost().length,
      leases: epochs,
      warrenLog: warren.flatMap((w) =>
        w.output.filter((l) => /lost the database|self-fence|joining again|answers again|admitted again/.test(l)).map((l) => `${w.name}: ${l}`),
      ),
    }),
  );
} catch (error) {
  exitCode = 1;
  console.error(String(error));
  console.error(log.slice(-40).join('\n'));
  for (const w of warren) console.error(`--- ${w.name}\n${w.output.slice(-15).join('\n')}`);
} finally {
  for (const w of warren) await w.stop().catch(() => {});
  proxy?.close(); // after the nodes, so that they can say they left
  for (const m of MEMBERS) for (const pid of patroniPids(m)) process.kill(pid, 'SIGTERM');
  for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
  await pause(3_000);
  for (const m of MEMBERS) for (const pid of patroniPids(m)) process.kill(pid, 'SIGKILL');
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  // Patroni's postmasters are their children: stop any left of this run's data directories.
  for (const m of MEMBERS) {
    const pidFile = join(dir, m.name, 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const d of dirs) d.remove();
  rmSync(dir, { recursive: true, force: true });
  process.exit(exitCode);
}
