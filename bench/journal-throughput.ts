// The message journal alone, in process, on this machine's disk (parts of
// workloads W2 and W6 of docs/benchmarks.md without the network):
//
// 1. fdatasync: latency of one 4 KiB write + fdatasync, for reference.
// 2. Confirmed appends: persistent 256-byte messages recorded and flushed
//    with group commit, keeping a window of confirms outstanding (as a
//    publisher with confirms pipelines them; windows of 1000 and 100); each
//    message is removed (acked) once confirmed, so reclamation runs too.
//    Reports msg/s, publish→confirm latency and messages per fsync.
// 3. Recovery: 1,000,000 messages of 256 bytes journaled and left queued,
//    then the time of Journal.open to replay them, and the heap it took.
//
// Run: npx tsx bench/journal-throughput.ts [dir]   (prints one JSON object;
// dir defaults to a temp directory on the data disk and is removed after)

import v8 from 'node:v8';
import vm from 'node:vm';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Message } from '../server/broker/message';
import { Journal } from '../server/store/journal/journal';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const BODY = Buffer.alloc(256, 'x');
const PROPERTIES = { deliveryMode: 2, contentType: 'application/octet-stream' };
const WINDOWS = [1000, 100];
const CONFIRMED_SECONDS = 4;
const BACKLOG = 1_000_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function round(n: number, digits = 2): number {
  return Number(n.toFixed(digits));
}

function fdatasyncLatency(dir: string): { p50Ms: number; p99Ms: number } {
  const fd = openSync(join(dir, 'sync-probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    writeSync(fd, block);
    fdatasyncSync(fd);
    times.push(performance.now() - start);
  }
  closeSync(fd);
  times.sort((a, b) => a - b);
  return { p50Ms: round(percentile(times, 50), 3), p99Ms: round(percentile(times, 99), 3) };
}

function confirmedAppends(dir: string, window: number): Promise<Record<string, number>> {
  const { journal } = Journal.open(join(dir, `confirmed-${window}`));
  const latencies: number[] = [];
  let nextId = 1;
  let inflight = 0;
  let confirmed = 0;
  let pumping = false;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const until = started + CONFIRMED_SECONDS * 1000;
  return new Promise((resolve, reject) => {
    const finish = async () => {
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const stats = journal.stats();
      await journal.close();
      latencies.sort((a, b) => a - b);
      resolve({
        window,
        messages: confirmed,
        msgPerSec: Math.round(confirmed / seconds),
        /** Process CPU per confirmed message, journal work only (no network, no engine). */
        cpuMicrosPerMessage: round((cpu.user + cpu.system) / confirmed),
        confirmP50Ms: round(percentile(latencies, 50)),
        confirmP99Ms: round(percentile(latencies, 99)),
        fsyncs: stats.fsyncs,
        messagesPerFsync: Math.round(confirmed / stats.fsyncs),
        segmentsLeft: stats.segments,
        segmentsDeleted: stats.segmentsDeleted,
      });
    };
    const pump = () => {
      pumping = false;
      if (performance.now() >= until) {
        if (inflight === 0) void finish();
        return;
      }
      while (inflight < window) {
        const id = nextId++;
        const publishedAt = performance.now();
        journal.enqueue('/', 'bench', id, new Message(id, '', 'bench', PROPERTIES, BODY));
        inflight++;
        journal.flush((error) => {
          if (error) return reject(error);
          inflight--;
          confirmed++;
          latencies.push(performance.now() - publishedAt);
          journal.remove('/', 'bench', id); // the consumer's ack
          if (!pumping) {
            pumping = true;
            setImmediate(pump);
          }
        });
      }
    };
    pump();
  });
}

function memoryBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function recovery(dir: string): Promise<Record<string, number>> {
  const journalDir = join(dir, 'backlog');
  const { journal } = Journal.open(journalDir);
  const writeStart = performance.now();
  for (let id = 1; id <= BACKLOG; id++) {
    journal.enqueue('/', 'backlog', id, new Message(id, '', 'backlog', PROPERTIES, BODY));
    if (id % 10_000 === 0) await new Promise<void>((resolve, reject) => journal.flush((e) => (e ? reject(e) : resolve())));
  }
  const writeSeconds = (performance.now() - writeStart) / 1000;
  await journal.close();
  const heapBefore = memoryBytes();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const { journal: reopened, recovery } = Journal.open(journalDir);
  const openMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (recovery.messages !== BACKLOG) throw new Error(`recovered ${recovery.messages} of ${BACKLOG}`);
  const heapAfter = memoryBytes();
  const stats = reopened.stats();
  await reopened.close();
  return {
    messages: recovery.messages,
    journalMB: round(stats.diskBytes / 1e6, 1),
    backlogWriteMsgPerSec: Math.round(BACKLOG / writeSeconds),
    recoveryMs: Math.round(openMs),
    /** CPU time of the open: on a shared machine, wall time also counts other processes. */
    recoveryCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    replayMs: Math.round(recovery.durationMs),
    /** Journal index plus the recovered messages (bodies included), per message. */
    memoryBytesPerMessage: Math.round((heapAfter - heapBefore) / BACKLOG),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'warren-journal-bench-'));
  try {
    const result = {
      workload: 'journal',
      bodyBytes: BODY.length,
      fdatasync: fdatasyncLatency(dir),
      confirmed: [] as Record<string, number>[],
      recovery: {} as Record<string, number>,
    };
    for (const window of WINDOWS) result.confirmed.push(await confirmedAppends(dir, window));
    result.recovery = await recovery(dir);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
