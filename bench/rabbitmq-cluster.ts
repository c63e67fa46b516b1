// A RabbitMQ 3.10 cluster of N nodes on this machine, for the cluster
// benchmark: Debian's rabbitmq-server started N times with its own node name,
// ports and data directory (and no plugins, so that the management port of a
// RabbitMQ already running here is left alone), nodes 2..N joined to node 1.
// Returned as a RunningBroker whose nodes the load generator spreads over.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import type { RunningBroker } from './amqp-peers';

const CTL = '/usr/sbin/rabbitmqctl';
/** Node i listens for AMQP on BASE_PORT + i and for Erlang distribution on DIST_BASE_PORT + i. */
const BASE_PORT = 5780;
const DIST_BASE_PORT = 25780;

const nodeName = (i: number) => `warren-bench-${i}@localhost`;

/** The Erlang VM of a node: its name is in its environment, not on its command line. */
function beamPid(name: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('beam.smp')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`RABBITMQ_NODENAME=${name}`)) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

async function answers(port: number): Promise<boolean> {
  try {
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

/** await_startup fails at once while the node's Erlang VM is not up yet: it is asked again until 120 s have passed. */
async function awaitStartup(name: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      execFileSync(CTL, ['-n', name, 'await_startup'], { stdio: 'ignore' });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`node ${name} did not start within 120 s (${(err as Error).message})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Starts and joins `size` nodes; null (with the reason on stderr) when RabbitMQ is not installed or a node does not start. */
export async function startRabbitCluster(size: number): Promise<RunningBroker | null> {
  const base = mkdtempSync(join(tmpdir(), 'warren-bench-rabbit-'));
  const stop = async () => {
    for (let i = 1; i <= size; i++) {
      try {
        execFileSync(CTL, ['-n', nodeName(i), 'stop'], { stdio: 'ignore' });
      } catch {
        // not running
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    for (let i = 1; i <= size; i++) {
      const dir = join(base, `node${i}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
    }
    // rabbitmq-server switches to the rabbitmq user, which must own the data directories.
    execFileSync('chown', ['-R', 'rabbitmq:rabbitmq', base]);
    for (let i = 1; i <= size; i++) {
      const dir = join(base, `node${i}`);
      execFileSync('/usr/sbin/rabbitmq-server', ['-detached'], {
        env: {
          ...process.env,
          RABBITMQ_NODENAME: nodeName(i),
          RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
          RABBITMQ_NODE_PORT: String(BASE_PORT + i),
          RABBITMQ_DIST_PORT: String(DIST_BASE_PORT + i),
          RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
          RABBITMQ_LOG_BASE: join(dir, 'log'),
          RABBITMQ_PID_FILE: join(dir, 'pid'),
          RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
        },
        stdio: 'ignore',
      });
    }
    for (let i = 1; i <= size; i++) await awaitStartup(nodeName(i));
    for (let i = 2; i <= size; i++) {
      execFileSync(CTL, ['-n', nodeName(i), 'stop_app'], { stdio: 'ignore' });
      execFileSync(CTL, ['-n', nodeName(i), 'join_cluster', nodeName(1)], { stdio: 'ignore' });
      execFileSync(CTL, ['-n', nodeName(i), 'start_app'], { stdio: 'ignore' });
    }
    for (let i = 1; i <= size; i++) if (!(await answers(BASE_PORT + i))) throw new Error(`node ${nodeName(i)} does not answer on ${BASE_PORT + i}`);
  } catch (err) {
    console.error(`RabbitMQ cluster skipped: ${(err as Error).message}`);
    await stop();
    return null;
  }
  const nodes = Array.from({ length: size }, (_, k) => ({ port: BASE_PORT + k + 1, pid: beamPid(nodeName(k + 1)) }));
  return { name: `RabbitMQ ×${size}`, url: `amqp://guest:guest@127.0.0.1:${BASE_PORT + 1}`, nodes, stop };
}
