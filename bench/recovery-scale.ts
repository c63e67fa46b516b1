// Recovery of a large backlog (issue 17's target: 10,000,000 messages in
// under 20 s): a durable queue `backlog` holding N persistent 256-byte
// messages, then the durable broker (test/durability/broker-only.ts) started
// on that data directory, timed to "ready". W6 fills its queue through AMQP,
// where a 10M fill stops at the memory alarm (live messages keep a Buffer
// each); here the queue is declared through AMQP and the messages are written
// with the journal's own API, as the broker journals them.
//
// Run: npx tsx bench/recovery-scale.ts [--messages 10000000] [--starts 1] [--node-args "--cpu-prof --cpu-prof-dir=/tmp/p"]
// Prints one JSON line per start: time to ready, the broker's recovery and
// replay figures, its CPU seconds (utime + stime, GC threads included) and
// RSS 1 s after ready.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { Message } from '../server/broker/message';
import { Journal } from '../server/store/journal/journal';
import { makeDataDir, spawnBroker } from '../test/durability/support';
import { numberFlag, textFlag } from './flags';
import { rssBytes } from './process-stats';

const MESSAGES = numberFlag('messages', 10_000_000);
const STARTS = numberFlag('starts', 1);
const NODE_ARGS = textFlag('node-args', '').split(' ').filter(Boolean);
const BODY = Buffer.alloc(256, 0x61);

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks: 100 a second on Linux
}

const data = makeDataDir();
try {
  const empty = await spawnBroker(data.dir);
  const conn = await amqp.connect(empty.url);
  await (await conn.createChannel()).assertQueue('backlog', { durable: true });
  await conn.close();
  await empty.stop();

  const filling = performance.now();
  const { journal } = Journal.open(join(data.dir, 'journal'));
  const properties = { deliveryMode: 2 };
  for (let id = 1; id <= MESSAGES; id++) {
    journal.enqueue('/', 'backlog', id, new Message(id, '', 'backlog', properties, BODY));
    if (id % 10_000 === 0) await new Promise<void>((resolve, reject) => journal.flush((e) => (e ? reject(e) : resolve())));
  }
  await journal.close();
  const fillSeconds = (performance.now() - filling) / 1000;

  for (let start = 1; start <= STARTS; start++) {
    const started = performance.now();
    const broker = await spawnBroker(data.dir, { nodeArgs: NODE_ARGS });
    const readyMs = performance.now() - started;
    const cpu = cpuSeconds(broker.pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rss = rssBytes(broker.pid);
    const log = broker.output.join('\n');
    await broker.stop();
    const recovered = /and (\d+) messages in (\d+) ms \(journal replay (\d+) ms/.exec(log);
    if (!recovered || Number(recovered[1]) !== MESSAGES) throw new Error(`the broker did not recover ${MESSAGES} messages:\n${log}`);
    console.log(
      JSON.stringify({
        workload: 'recovery',
        messages: MESSAGES,
        start,
        fillSeconds: Math.round(fillSeconds),
        readyMs: Math.round(readyMs),
        recoveryMs: Number(recovered[2]),
        journalReplayMs: Number(recovered[3]),
        cpuSecondsAtReady: cpu,
        rssMiB: Math.round(rss / 1048576),
        loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      }),
    );
  }
} finally {
  data.remove();
}
