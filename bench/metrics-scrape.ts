// How long /metrics and /metrics/per-object take to render with 10,000
// queues (each holding a message), in process: the broker's side of a
// Prometheus scrape, and the longest the event loop was held meanwhile
// (rendering yields between families). Run: npx tsx bench/metrics-scrape.ts [queues]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Broker } from '../server/broker/broker';
import { PrometheusMetrics } from '../server/http/metrics';
import { ProcessSampler } from '../server/metrics/process-sampler';
import type { Services } from '../server/services';

const queues = Number(process.argv[2] ?? 10_000);
const broker = new Broker();
for (let i = 0; i < queues; i++) {
  broker.declareQueue('/', `q-${i}`);
  broker.publish('/', '', `q-${i}`, {}, Buffer.from('x'));
}
const sampler = new ProcessSampler();
sampler.sample();
const services = {
  broker,
  sampler,
  startedAt: Date.now(),
  nodeName: broker.nodeName,
  version: 'bench',
  processFaults: { unhandledRejections: 0 },
  alarms: () => [],
  memory: () => null,
} as unknown as Services;
const metrics = new PrometheusMetrics(() => services);

for (const endpoint of ['per-object', 'aggregated'] as const) {
  const times: number[] = [];
  let bytes = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  for (let run = 0; run < 12; run++) {
    if (run === 2) loop.enable(); // the first two warm up
    const started = performance.now();
    bytes = (await metrics.render(endpoint)).length;
    times.push(performance.now() - started);
  }
  loop.disable();
  const warm = times.slice(2).sort((a, b) => a - b);
  console.log(
    `${endpoint}: ${queues} queues, ${(bytes / 1024).toFixed(0)} KiB, first ${times[0]!.toFixed(1)} ms, median ${warm[Math.floor(warm.length / 2)]!.toFixed(1)} ms, ` +
      `max ${warm.at(-1)!.toFixed(1)} ms; longest event-loop block ${(loop.max / 1e6 - 1).toFixed(1)} ms`,
  );
}
broker.close();
