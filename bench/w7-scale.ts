// Workload W7 of docs/benchmarks.md: 10,000 queues and 1,000 idle connections, with
// traffic on 100 of the queues. Measures the broker's memory (RSS) and how fast
// the console's queue list answers (sorted by ready messages, one page of 100:
// the round trip, and for Warren the server's time from its Server-Timing header),
// for Warren and, when its management plugin can be enabled, for RabbitMQ,
// and Warren's event-loop delay p99 (per second, from /metrics) meanwhile.
// Run: npx tsx bench/w7-scale.ts [--queues 10000] [--connections 1000]
// Prints one JSON line per broker.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { numberFlag } from './flags';
import { LoopDelayWatch } from './loop-delay-watch';
import { rssBytes } from './process-stats';

const QUEUES = numberFlag('queues', 10_000);
const CONNECTIONS = numberFlag('connections', 1_000);
const BUSY = 100;
const SAMPLES = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Times `call` SAMPLES times: the round trip as the client sees it, and the server's own time when the call reports one. */
async function timeCalls(call: () => Promise<number | void>): Promise<{ p50Ms: number; p99Ms: number; server?: { p50Ms: number; p99Ms: number } }> {
  for (let i = 0; i < 5; i++) await call(); // warm-up
  const times: number[] = [];
  const serverTimes: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = process.hrtime.bigint();
    const serverMs = await call();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (typeof serverMs === 'number' && Number.isFinite(serverMs)) serverTimes.push(serverMs);
    await new Promise((r) => setTimeout(r, 20));
  }
  const summary = (list: number[]) => {
    list.sort((a, b) => a - b);
    return { p50Ms: +percentile(list, 50).toFixed(2), p99Ms: +percentile(list, 99).toFixed(2) };
  };
  return serverTimes.length > 0 ? { ...summary(times), server: summary(serverTimes) } : summary(times);
}

/** Declares the queues, opens the idle connections and starts traffic on BUSY queues; returns a stop function. */
async function load(url: string): Promise<() => Promise<void>> {
  const admin = await amqp.connect(url);
  const ch = await admin.createChannel();
  for (let i = 0; i < QUEUES; i++) await ch.assertQueue(`w7-${i}`, { durable: false });
  const idle: ChannelModel[] = [];
  for (let i = 0; i < CONNECTIONS; i++) idle.push(await amqp.connect(url));
  const pub = await admin.createChannel();
  const body = Buffer.alloc(256, 1);
  let n = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 20; i++) pub.sendToQueue(`w7-${n++ % BUSY}`, body);
  }, 10);
  await new Promise((r) => setTimeout(r, 3_000)); // let rates and samples settle
  return async () => {
    clearInterval(timer);
    for (const c of idle) await c.close().catch(() => {});
    await admin.close();
  };
}

async function benchWarren(): Promise<object> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-w7-'));
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, PORT: '0', AMQP_PORT: '0', WARREN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const m = await new Promise<RegExpMatchArray>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const r = /console (http:\/\/\S+?)\/? , AMQP amqp:\/\/(\S+)/.exec(out);
      if (r) resolve(r);
    });
    child.once('exit', (code) => reject(new Error(`Warren exited with ${code}:\n${out}`)));
  });
  const [consoleUrl, amqpHost] = [m[1], m[2]];
  try {
    const signIn = await fetch(`${consoleUrl}/api/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'guest', password: 'guest' }),
    });
    if (!signIn.ok) throw new Error(`Signing in failed: ${await signIn.text()}`);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const rssIdle = rssBytes(child.pid!);
    const stop = await load(`amqp://guest:guest@${amqpHost}`);
    const rssLoaded = rssBytes(child.pid!);
    const input = encodeURIComponent(JSON.stringify({ sort: 'ready', dir: 'desc', limit: 100 }));
    const loopDelay = new LoopDelayWatch(`${consoleUrl}/metrics`);
    const list = await timeCalls(async () => {
      const res = await fetch(`${consoleUrl}/api/trpc/queues.list?input=${input}`, { headers: { cookie } });
      const body = (await res.json()) as { result: { data: { total: number } } };
      if (body.result.data.total < QUEUES) throw new Error(`queue list returned ${body.result.data.total} queues`);
      // The server's own time, from its Server-Timing header (trpc;dur=<ms>).
      return Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]);
    });
    const eventLoopDelayP99Ms = loopDelay.stop();
    await stop();
    return {
      broker: 'Warren',
      queues: QUEUES,
      connections: CONNECTIONS,
      rssIdleMB: +(rssIdle / 2 ** 20).toFixed(1),
      rssLoadedMB: +(rssLoaded / 2 ** 20).toFixed(1),
      queueListPage: list,
      eventLoopDelayP99Ms,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** RabbitMQ with its management API on 15672, when it is installed and running on 5672; null (with a reason) otherwise. */
async function benchRabbit(): Promise<object | null> {
  try {
    execFileSync('rabbitmq-plugins', ['enable', 'rabbitmq_management'], { stdio: 'ignore' });
    const pid = Number(execFileSync('pgrep', ['-f', 'beam.smp.*rabbit']).toString().split('\n')[0]);
    await new Promise((r) => setTimeout(r, 5_000));
    const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
    const rssIdle = rssBytes(pid);
    const stop = await load('amqp://guest:guest@127.0.0.1:5672');
    const rssLoaded = rssBytes(pid);
    const list = await timeCalls(async () => {
      const res = await fetch('http://127.0.0.1:15672/api/queues?page=1&page_size=100&sort=messages_ready&sort_reverse=true', {
        headers: { authorization: auth },
      });
      if (!res.ok) throw new Error(`management API answered ${res.status}`);
      await res.json();
    });
    await stop();
    const cleanup = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await cleanup.createChannel();
    for (let i = 0; i < QUEUES; i++) await ch.deleteQueue(`w7-${i}`);
    await cleanup.close();
    return {
      broker: 'RabbitMQ',
      queues: QUEUES,
      connections: CONNECTIONS,
      rssIdleMB: +(rssIdle / 2 ** 20).toFixed(1),
      rssLoadedMB: +(rssLoaded / 2 ** 20).toFixed(1),
      queueListPage: list,
    };
  } catch (err) {
    console.error(`RabbitMQ skipped: ${(err as Error).message} (install rabbitmq-server and start it on 5672 to compare)`);
    return null;
  }
}

const warren = await benchWarren();
console.log(JSON.stringify(warren));
const rabbit = await benchRabbit();
if (rabbit) console.log(JSON.stringify(rabbit));
