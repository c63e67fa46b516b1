// AMQP workloads W1–W4 of docs/benchmarks.md, Warren against RabbitMQ on the same
// machine, same client (amqplib), one after the other for each workload.
// Run: npx tsx bench/amqp-compare.ts [rounds]
// Prints a markdown table and one JSON line; the best of `rounds` (default 2)
// counts for each broker, since other work on a shared machine only slows runs down.

import { startRabbitMq, startWarren, type RunningBroker } from './amqp-peers';
import type { WorkloadResult } from './amqp-support';
import { runW1 } from './amqp-w1';
import { runW2 } from './amqp-w2';
import { runW3 } from './amqp-w3';
import { runW4 } from './amqp-w4';

const WORKLOADS: [string, (url: string) => Promise<WorkloadResult>][] = [
  ['W1 transient, 1 pub / 1 sub', runW1],
  ['W2 persistent + confirms', runW2],
  ['W3 fan-out to 10 queues', runW3],
  ['W4 topic, 1,000 bindings', runW4],
];

const rounds = Number(process.argv[2] ?? 2);
const brokers: RunningBroker[] = [await startWarren()];
const rabbit = await startRabbitMq();
if (rabbit) brokers.push(rabbit);

const results: Record<string, Record<string, WorkloadResult>> = {};
try {
  for (const [workload, run] of WORKLOADS) {
    results[workload] = {};
    for (let round = 0; round < rounds; round++) {
      for (const b of brokers) {
        const r = await run(b.url);
        console.error(`${workload} ${b.name} round ${round + 1}: ${r.rate} ${r.unit}, p99 ${r.p99Ms} ms`);
        const best = results[workload][b.name];
        if (!best || r.rate > best.rate) results[workload][b.name] = r;
      }
    }
  }
} finally {
  for (const b of brokers) await b.stop();
}

const lines = ['| workload | Warren | RabbitMQ | Warren / RabbitMQ |', '| --- | --- | --- | --- |'];
for (const [workload, byBroker] of Object.entries(results)) {
  const w = byBroker.Warren;
  const r = byBroker.RabbitMQ;
  const paced = (x: WorkloadResult) =>
    x.extra?.pacedP99Ms === undefined ? '' : `; at ${x.extra.pacedRate} msg/s p50 ${x.extra.pacedP50Ms} ms, p99 ${x.extra.pacedP99Ms} ms`;
  const cell = (x?: WorkloadResult) => (x ? `${x.rate} ${x.unit}, p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms${paced(x)}` : 'not run');
  lines.push(`| ${workload} | ${cell(w)} | ${cell(r)} | ${w && r ? (w.rate / r.rate).toFixed(2) + '×' : '—'} |`);
}
for (const b of brokers) if (b.note) lines.push('', b.note);
console.log(lines.join('\n'));
console.log(JSON.stringify({ date: new Date().toISOString(), rounds, results }));
