// Brokers for the AMQP benchmarks: Warren in a child process of its own, and
// RabbitMQ from Debian (installed and started when missing, stopped after if
// this script started it). Both listen on loopback only.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';

export interface RunningBroker {
  name: string;
  url: string;
  /** Caveat to print with the results, if any. */
  note?: string;
  /** The broker's process, for its CPU use (bench/load/cpu.ts); absent when not found. */
  pid?: number;
  /** Prometheus text with warren_event_loop_delay_p99_seconds; Warren only. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `args`: more of amqp-warren.ts's flags, e.g. ['--trace', 'on']; `nodeFlags`: Node's, e.g. ['--cpu-prof']. */
export async function startWarren(args: string[] = [], nodeFlags: string[] = []): Promise<RunningBroker> {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(root, 'bench/amqp-warren.ts'), '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port, store, metricsPort] = await new Promise<[number, string, number]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\d+) (\w+) (\d+)/.exec(out);
      if (m) resolve([Number(m[1]), m[2]!, Number(m[3])]);
    });
    child.once('exit', (code) => reject(new Error(`Warren exited with ${code} before listening`)));
  });
  return {
    name: 'Warren',
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    pid: child.pid,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    note: store === 'NullStore' ? 'Warren ran without a journal (NullStore): W2 persistence is not comparable yet.' : undefined,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function rabbitAnswers(url: string): Promise<boolean> {
  try {
    const conn = await amqp.connect(url);
    const product = (conn.connection as unknown as { serverProperties: { product?: string } }).serverProperties.product;
    await conn.close();
    return product === 'RabbitMQ';
  } catch {
    return false;
  }
}

/** The Erlang VM running RabbitMQ (beam.smp), where its CPU is spent. */
function rabbitPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('beam.smp') && cmdline.includes('rabbit')) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** RabbitMQ on 5672: reused when already running, else installed/started here. Null (with a reason printed) when impossible. */
export async function startRabbitMq(): Promise<RunningBroker | null> {
  const url = 'amqp://guest:guest@127.0.0.1:5672';
  if (await rabbitAnswers(url)) return { name: 'RabbitMQ', url, pid: rabbitPid(), stop: async () => {} };
  try {
    if (!existsSync('/usr/sbin/rabbitmq-server')) execFileSync('apt-get', ['install', '-y', 'rabbitmq-server'], { stdio: 'ignore' });
    execFileSync('/usr/sbin/rabbitmq-server', ['-detached'], { env: { ...process.env, RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1' }, stdio: 'ignore' });
  } catch (err) {
    console.error(`RabbitMQ skipped: cannot install or start it (${(err as Error).message})`);
    return null;
  }
  const deadline = Date.now() + 90_000;
  while (!(await rabbitAnswers(url))) {
    if (Date.now() > deadline) {
      console.error('RabbitMQ skipped: it did not answer on 5672 within 90 s');
      return null;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return {
    name: 'RabbitMQ',
    url,
    pid: rabbitPid(),
    stop: async () => {
      execFileSync('/usr/sbin/rabbitmqctl', ['stop'], { stdio: 'ignore' });
    },
  };
}
