// The load generator: publishers and consumers in several processes of the
// client loadClient() picks (amqp-load.c, or node-client.ts), N connections ×
// M channels each, their counters and latency histograms merged at the end.
// Every result carries the CPU use of the broker and of each generator
// process over the run (/proc/<pid>/stat, % of one core), a verdict on which
// of them saturated, and for Warren the event-loop delay p99 its /metrics
// reported meanwhile.
//
// A flow is one set of queues, the publishers that fill them and the
// consumers that drain them; queues are split over the processes of each
// side in contiguous ranges, and within a process over its connections and
// channels round robin (amqp-load.c). A run starts every flow's consumers,
// waits until all consume, runs the publishers for `seconds`, then waits
// (up to `drainSeconds`) until everything published was delivered.

import { spawn } from 'node:child_process';
import os from 'node:os';
import amqp from 'amqplib';
import type { RunningBroker } from '../amqp-peers';
import { round } from '../amqp-support';
import { rssBytes } from '../process-stats';
import { LoopDelayWatch, type LoopDelaySummary } from '../loop-delay-watch';
import { cpuSeconds, machineSeconds } from './cpu';
import type { LoadClient } from './client';
import { BUCKETS, mergeInto, percentileMs } from './histogram';

export interface Side {
  processes: number;
  /** Connections per process. */
  connections: number;
  /** Channels per connection (default 1). */
  channels?: number;
}

export interface Flow {
  label: string;
  /** Queue names: prefix + 0 .. queues-1 (a run-unique prefix is put in front). */
  prefix: string;
  queues: number;
  /** x-arguments of the queues' declare, e.g. { 'x-queue-type': 'quorum' }. */
  queueArguments?: Record<string, unknown>;
  publishers: Side & { rate?: number; persistent?: boolean; confirmWindow?: number; bodyBytes?: number };
  consumers: Side & { prefetch?: number };
}

export interface FlowResult {
  label: string;
  published: number;
  /** Publishes the broker nacked: they are not expected to be delivered. */
  nacked: number;
  delivered: number;
  /** Delivered messages per second, from the first publish to the last delivery. */
  msgPerSec: number;
  deliverMs: { p50: number; p99: number; p999: number };
  confirmMs?: { p50: number; p99: number };
  allDelivered: boolean;
}

export interface ProcessCpu {
  role: string;
  /** % of one core over the run. */
  percent: number;
  threads: number;
}

export interface LoadResult {
  broker: string;
  client: string;
  seconds: number;
  flows: FlowResult[];
  brokerCpuPercent: number;
  generatorCpu: ProcessCpu[];
  machineBusyPercent: number;
  verdict: string;
  /** Warren's warren_event_loop_delay_p99_seconds scraped each second of the run: the largest and the median, in ms. */
  eventLoopDelayP99Ms?: LoopDelaySummary;
  /** The broker's largest resident set during the run (its nodes' added up), MiB, sampled every 200 ms. */
  brokerRssMaxMiB: number;
  errors: string[];
}

/** One load process (amqp-load.c or node-client.ts) as the generator runs it. */
export interface Running {
  role: 'pub' | 'sub';
  flow: number;
  pid: number;
  threads: number;
  progress: number;
  final: Promise<{ count: number; confirmed: number; nacked: number; firstNs: number; lastNs: number; error: string; latency: number[] } | null>;
  ready: Promise<void>;
  stop(): void;
}

/** Starts one load process; `flow` is the index of its flow in the results. */
export function startLoadProcess(client: LoadClient, role: 'pub' | 'sub', flow: number, args: string[], connections: number): Running {
  const [command, argv] = client.command(role, args);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let partial = '';
  let finalLine = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const running: Running = {
    role,
    flow,
    pid: child.pid ?? -1,
    threads: client.threads(connections),
    progress: 0,
    ready,
    stop: () => child.kill('SIGTERM'),
    final: new Promise((resolve) => {
      child.once('exit', () => {
        onReady();
        try {
          const r = JSON.parse(finalLine) as {
            count: number;
            confirmed: number;
            nacked: number;
            firstNs: number | string;
            lastNs: number | string;
            error: string;
            latency: number[];
          };
          resolve({ ...r, firstNs: Number(r.firstNs), lastNs: Number(r.lastNs) });
        } catch {
          resolve(null);
          console.error(`load ${role} process ended without its figures: ${err.trim() || partial}`);
        }
      });
    }),
  };
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') onReady();
      else if (line.startsWith('progress ')) running.progress = Number(line.slice(9));
      else if (line.startsWith('{')) finalLine = line;
    }
  });
  return running;
}

/** Contiguous ranges of `queues` over `processes`: [first, count] each, none empty. */
function split(queues: number, processes: number): [number, number][] {
  const n = Math.max(1, Math.min(processes, queues));
  return Array.from({ length: n }, (_, k) => {
    const first = Math.floor((k * queues) / n);
    return [first, Math.floor(((k + 1) * queues) / n) - first];
  });
}

/** Declares (and afterwards deletes) every flow's queues through one amqplib connection. */
async function withQueues<T>(url: string, names: { name: string; durable: boolean; arguments?: Record<string, unknown> }[], run: () => Promise<T>): Promise<T> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  try {
    for (const q of names) await ch.assertQueue(q.name, { durable: q.durable, arguments: q.arguments });
    return await run();
  } finally {
    for (const q of names) await ch.deleteQueue(q.name).catch(() => {});
    await conn.close().catch(() => {});
  }
}

const SATURATED = 0.85;

function verdictOf(broker: RunningBroker, brokerPercent: number, generator: ProcessCpu[], machineBusy: number): string {
  const cores = os.cpus().length;
  // Warren's engine and sockets run on one event loop per node; RabbitMQ's Erlang VM uses every core.
  const brokerLimit = broker.name.startsWith('Warren') ? 100 * Math.min(cores, broker.nodes?.length ?? 1) : 100 * cores;
  const brokerSaturated = brokerPercent >= SATURATED * brokerLimit;
  const generatorSaturated = generator.some((p) => p.percent >= SATURATED * 100 * Math.min(p.threads, cores));
  if (brokerSaturated && !generatorSaturated) return 'broker saturated';
  if (generatorSaturated && !brokerSaturated) return 'generator saturated';
  if (brokerSaturated) return 'both saturated';
  if (machineBusy >= 90) return `neither alone: the machine's ${cores} cores were ${Math.round(machineBusy)}% busy`;
  return 'neither saturated';
}

export async function runLoad(broker: RunningBroker, client: LoadClient, flows: Flow[], opts: { seconds: number; drainSeconds?: number }): Promise<LoadResult> {
  const ports = broker.nodes?.map((n) => String(n.port)) ?? [new URL(broker.url).port || '5672'];
  const brokerPids = broker.nodes ? broker.nodes.flatMap((n) => (n.pid === undefined ? [] : [n.pid])) : broker.pid === undefined ? [] : [broker.pid];
  const brokerRss = () => brokerPids.reduce((sum, pid) => sum + rssBytes(pid), 0);
  const brokerCpuSeconds = () => (brokerPids.length === 0 ? NaN : brokerPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0));
  const tag = `load-${process.pid}-${Date.now() % 1e6}-`;
  const queues = flows.flatMap((f) =>
    Array.from({ length: f.queues }, (_, i) => ({ name: `${tag}${f.prefix}${i}`, durable: !!f.publishers.persistent, arguments: f.queueArguments })),
  );
  return withQueues(broker.url, queues, async () => {
    const all: Running[] = [];
    // On a cluster, the k-th process of a side connects to node k (consumers to the next one), so messages cross nodes.
    const portOf = (role: 'pub' | 'sub', k: number) => ports[(k + (role === 'sub' ? 1 : 0)) % ports.length]!;
    const common = (f: Flow, [first, count]: [number, number], side: Side, port: string) => [
      '--port',
      port,
      '--prefix',
      `${tag}${f.prefix}`,
      '--first',
      String(first),
      '--count-queues',
      String(count),
      '--connections',
      String(Math.min(side.connections, count * (side.channels ?? 1))),
      '--channels',
      String(side.channels ?? 1),
    ];
    flows.forEach((f, i) => {
      for (const [k, range] of split(f.queues, f.consumers.processes).entries()) {
        const args = [...common(f, range, f.consumers, portOf('sub', k)), '--prefetch', String(f.consumers.prefetch ?? 100)];
        all.push(startLoadProcess(client, 'sub', i, args, f.consumers.connections));
      }
    });
    await Promise.all(all.map((r) => r.ready));

    const brokerCpu0 = brokerCpuSeconds();
    const machine0 = machineSeconds();
    const t0 = performance.now();
    const loopDelay = broker.metricsUrl ? new LoopDelayWatch(broker.metricsUrl) : undefined;
    flows.forEach((f, i) => {
      const p = f.publishers;
      const ranges = split(f.queues, p.processes);
      for (const [k, range] of ranges.entries()) {
        const args = [...common(f, range, p, portOf('pub', k)), '--seconds', String(opts.seconds), '--body', String(p.bodyBytes ?? 256)];
        if (p.rate) args.push('--rate', String(p.rate / ranges.length));
        if (p.persistent) args.push('--persistent');
        if (p.confirmWindow) args.push('--confirm', String(p.confirmWindow));
        all.push(startLoadProcess(client, 'pub', i, args, p.connections));
      }
    });
    // Each process's CPU over its own part of the run: a publisher's is sampled every 200 ms until it exits, the last sample counts.
    const cpuAtStart = new Map(all.map((r) => [r.pid, { seconds: cpuSeconds(r.pid), at: performance.now() }]));
    const cpuSeen = new Map(cpuAtStart);
    const sampleCpu = (r: Running) => {
      const seconds = cpuSeconds(r.pid);
      if (!Number.isNaN(seconds)) cpuSeen.set(r.pid, { seconds, at: performance.now() });
    };
    let rssMax = brokerRss();
    const sampler = setInterval(() => {
      all.forEach(sampleCpu);
      rssMax = Math.max(rssMax, brokerRss());
    }, 200);
    const publishers = all.filter((r) => r.role === 'pub');
    const pubResults = await Promise.all(publishers.map((r) => r.final));
    const published = flows.map((_, i) => pubResults.reduce((n, r, k) => n + (publishers[k]!.flow === i ? (r?.count ?? 0) : 0), 0));
    const nacked = flows.map((_, i) => pubResults.reduce((n, r, k) => n + (publishers[k]!.flow === i ? (r?.nacked ?? 0) : 0), 0));
    const consumers = all.filter((r) => r.role === 'sub');
    const deadline = performance.now() + (opts.drainSeconds ?? 30) * 1000;
    const delivered = (i: number) => consumers.reduce((n, r) => n + (r.flow === i ? r.progress : 0), 0);
    while (performance.now() < deadline && flows.some((_, i) => delivered(i) < published[i]! - nacked[i]!)) await new Promise((r) => setTimeout(r, 50));
    // Consumers' CPU and the broker's, up to the moment everything was delivered.
    consumers.forEach(sampleCpu);
    const wall = (performance.now() - t0) / 1000;
    const brokerPercent = ((brokerCpuSeconds() - brokerCpu0) / wall) * 100;
    const machine1 = machineSeconds();
    clearInterval(sampler);
    const eventLoopDelayP99Ms = loopDelay?.stop();
    for (const r of consumers) r.stop();
    const subResults = await Promise.all(consumers.map((r) => r.final));

    const errors = [...pubResults, ...subResults].flatMap((r) => (r === null ? ['a load process ended without its figures'] : r.error ? [r.error] : []));
    const results: FlowResult[] = flows.map((f, i) => {
      const deliverHist = new Array<number>(BUCKETS).fill(0);
      const confirmHist = new Array<number>(BUCKETS).fill(0);
      let got = 0;
      let firstNs = Infinity;
      let lastNs = 0;
      all.forEach((r) => {
        const res = r.role === 'pub' ? pubResults[publishers.indexOf(r)] : subResults[consumers.indexOf(r)];
        if (r.flow !== i || !res) return;
        if (r.role === 'pub') {
          mergeInto(confirmHist, res.latency);
          if (res.count > 0) firstNs = Math.min(firstNs, res.firstNs);
        } else {
          mergeInto(deliverHist, res.latency);
          got += res.count;
          lastNs = Math.max(lastNs, res.lastNs);
        }
      });
      const seconds = (lastNs - firstNs) / 1e9;
      return {
        label: f.label,
        published: published[i]!,
        nacked: nacked[i]!,
        delivered: got,
        msgPerSec: seconds > 0 ? round(got / seconds, 0) : 0,
        deliverMs: { p50: round(percentileMs(deliverHist, 50)), p99: round(percentileMs(deliverHist, 99)), p999: round(percentileMs(deliverHist, 99.9)) },
        confirmMs: f.publishers.confirmWindow ? { p50: round(percentileMs(confirmHist, 50)), p99: round(percentileMs(confirmHist, 99)) } : undefined,
        allDelivered: got >= published[i]! - nacked[i]!,
      };
    });
    const generatorCpu = all.map((r) => {
      const from = cpuAtStart.get(r.pid)!;
      const to = cpuSeen.get(r.pid)!;
      return {
        role: `${r.role} ${flows[r.flow]!.label}`,
        percent: round(((to.seconds - from.seconds) / ((to.at - from.at) / 1000)) * 100, 0),
        threads: r.threads,
      };
    });
    const machineBusyPercent = round(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100, 0);
    return {
      broker: broker.name,
      client: client.name,
      seconds: round(wall, 1),
      flows: results,
      brokerCpuPercent: round(brokerPercent, 0),
      generatorCpu,
      machineBusyPercent,
      verdict: verdictOf(broker, brokerPercent, generatorCpu, machineBusyPercent),
      eventLoopDelayP99Ms,
      brokerRssMaxMiB: round(rssMax / 2 ** 20, 1),
      errors,
    };
  });
}
