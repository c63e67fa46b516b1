// Brokers for the AMQP benchmarks: Warren in a child process of its own, and
// RabbitMQ from Debian (installed and started when missing, stopped after if
// this script started it). Both listen on loopback only.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';

export interface RunningBroker {
  name: string;
  url: string;
  /** Caveat to print with the results, if any. */
  note?: string;
  stop(): Promise<void>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `args`: more of amqp-warren.ts's flags, e.g. ['--trace', 'on']. */
export async function startWarren(args: string[] = []): Promise<RunningBroker> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/amqp-warren.ts'), '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port, store] = await new Promise<[number, string]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\d+) (\w+)/.exec(out);
      if (m) resolve([Number(m[1]), m[2]!]);
    });
    child.once('exit', (code) => reject(new Error(`Warren exited with ${code} before listening`)));
  });
  return {
    name: 'Warren',
    url: `amqp://guest:guest@127.0.0.1:${port}`,
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

/** RabbitMQ on 5672: reused when already running, else installed/started here. Null (with a reason printed) when impossible. */
export async function startRabbitMq(): Promise<RunningBroker | null> {
  const url = 'amqp://guest:guest@127.0.0.1:5672';
  if (await rabbitAnswers(url)) return { name: 'RabbitMQ', url, stop: async () => {} };
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
    stop: async () => {
      execFileSync('/usr/sbin/rabbitmqctl', ['stop'], { stdio: 'ignore' });
    },
  };
}
