// Workload W5 of docs/benchmarks.md: a stream on disk. Append 1,000,000 messages
// of 256 bytes with publisher confirms, then read them back from offset 0.
//
// 1. In process: Broker.publish into a file-backed stream, keeping a window
//    of confirms outstanding (confirms wait for the stream's fsync); then
//    reads from offset 0 (a) straight from the StreamStore in batches, and
//    (b) through the engine: a consumer with prefetch 100 acking every message;
//    and the cost of computing the lag of three consumer groups (as sampled
//    every second for the console's charts).
// 2. Over AMQP with amqplib against Warren in a process of its own (this
//    file run with --serve <dir>): a confirm channel publishes (waiting for
//    confirms every WINDOW messages), then a consumer with x-stream-offset 0,
//    prefetch 100 that acks with multiple=true every ACK_EVERY (50) messages,
//    as a RabbitMQ stream client does: stream acks only give credit back, so
//    acking each message would mostly measure amqplib writing one ack per
//    message (a quarter of the client's time when it did), not the read.
// 3. NATS JetStream, the peer (bench/jetstream-peer.ts: nats-server from
//    Debian on loopback, a file-backed stream): the same messages published
//    with acks, waiting for all acks every WINDOW messages as the AMQP
//    publisher waits for its confirms; then read from the first message by an
//    ordered consumer (no acks: it is JetStream's stream read) pulling
//    READ_BUFFER messages at a time. Warren's ratio to it is given for the
//    AMQP figures. When nats-server cannot be installed or started, the JSON
//    line says the peer was skipped, and why.
//
// Run: npx tsx bench/stream-w5.ts [count]   (prints one JSON line; data in a temp dir, removed after)

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { startAmqpServer } from '../server/amqp/server';
import { Broker } from '../server/broker/broker';
import type { StreamLimits, StreamStorage, StreamStore } from '../server/broker/stream/stream-store';
import type { Delivery } from '../server/broker/types';
import { FileStreamStorage } from '../server/store/stream/file-stream-storage';
import { BODY_SIZE, PREFETCH, round, until } from './amqp-support';
import { PeerUnavailable, startJetStream } from './jetstream-peer';

const THIS_FILE = fileURLToPath(import.meta.url);
const WINDOW = 10_000;
/** Messages JetStream's ordered consumer asks for at a time: the client's default, and the AMQP side's prefetch. */
const READ_BUFFER = PREFETCH;
/** The AMQP stream consumer acks (multiple=true) every this many messages: half its prefetch. */
const ACK_EVERY = PREFETCH / 2;
const JETSTREAM_CAVEAT = `JetStream acks before fsync (its file store syncs every 2 min; Debian's 2.9 has no sync_interval to change that), Warren's confirms wait for fsync; JetStream's ordered consumer acks nothing, Warren's AMQP consumer acks every ${ACK_EVERY}th message with multiple=true`;
const STREAM_ARGS = { 'x-queue-type': 'stream' };
const body = Buffer.alloc(BODY_SIZE, 0x61);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** File-backed stream storage that keeps the stores it opens, so the read figure is the store's own. */
class ReadableStorage implements StreamStorage {
  readonly durable = true;
  readonly opened = new Map<string, StreamStore>();
  private readonly files: FileStreamStorage;
  constructor(dir: string) {
    this.files = new FileStreamStorage(dir);
  }
  open(vhost: string, name: string, limits: StreamLimits): StreamStore {
    const store = this.files.open(vhost, name, limits);
    this.opened.set(name, store);
    return store;
  }
  close(): void {
    this.files.close();
  }
}

async function inProcess(dir: string, count: number) {
  const storage = new ReadableStorage(dir);
  const broker = new Broker({ streams: storage });
  broker.declareQueue('/', 'w5', { durable: true, arguments: STREAM_ARGS });

  let confirmed = 0;
  let nacked = 0;
  const onConfirm = (ack: boolean) => {
    confirmed++;
    if (!ack) nacked++;
  };
  let start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    broker.publish('/', '', 'w5', {}, body, { onConfirm });
    if (i + 1 - confirmed >= WINDOW) await until(() => i + 1 - confirmed < WINDOW / 2, 60_000);
  }
  await until(() => confirmed === count, 60_000);
  const appendSeconds = seconds(start);
  if (nacked > 0) throw new Error(`${nacked} appends were nacked`);

  const store = storage.opened.get('w5');
  if (store === undefined) throw new Error('w5 is not a stream');
  start = process.hrtime.bigint();
  let read = 0;
  let bytes = 0;
  for (let at = 0; ; ) {
    const batch = store.read(at, 1000);
    if (batch.length === 0) break;
    for (const record of batch) bytes += record.body.length;
    read += batch.length;
    at = batch[batch.length - 1]!.offset + 1;
  }
  const storeReadSeconds = seconds(start);
  if (read !== count || bytes !== count * BODY_SIZE) throw new Error(`read ${read} records, ${bytes} bytes`);

  const connection = broker.openConnection({ vhost: '/', user: 'bench', clientProperties: {}, peerAddress: 'local' });
  const channel = connection.openChannel(1);
  channel.qos(PREFETCH, false);
  let delivered = 0;
  start = process.hrtime.bigint();
  channel.consume('w5', { arguments: { 'x-stream-offset': 0 } }, (delivery: Delivery) => {
    delivered++;
    channel.ack(delivery.deliveryTag, false);
  });
  await until(() => delivered === count, 120_000);
  const consumeSeconds = seconds(start);

  // Lag as the console samples it every second: three groups at different places.
  for (const [group, offset] of [
    ['a', 0],
    ['b', count / 2],
    ['c', count - 10],
  ] as const) {
    broker.streams.resetGroup('/', 'w5', group, { kind: 'offset', offset });
  }
  const LAG_CALLS = 10_000;
  start = process.hrtime.bigint();
  for (let i = 0; i < LAG_CALLS; i++) broker.streams.groups('/', 'w5');
  const lagMicros = (seconds(start) / LAG_CALLS) * 1e6;
  broker.close();
  return {
    appendMsgPerSec: Math.round(count / appendSeconds),
    storeReadMsgPerSec: Math.round(count / storeReadSeconds),
    consumeMsgPerSec: Math.round(count / consumeSeconds),
    lagOfThreeGroupsMicros: round(lagMicros),
  };
}

/** Warren with file-backed streams in `dir`, in this process; prints "ready <port>". */
async function serve(dir: string): Promise<void> {
  const broker = new Broker({ streams: new FileStreamStorage(dir) });
  const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0 });
  console.log(`ready ${server.port}`);
  process.on('SIGTERM', () => {
    void server.close().then(() => {
      broker.close();
      process.exit(0);
    });
  });
}

/** Starts `serve` in a child process; resolves with its port and a stop function. */
function startServer(dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, THIS_FILE, '--serve', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+)/.exec(out);
      if (match) resolve({ port: Number(match[1]), stop });
    });
    child.once('exit', (code) => reject(new Error(`Warren exited with ${code} before it was ready`)));
  });
}

async function overAmqp(dir: string, count: number) {
  const server = await startServer(dir);
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}`);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('w5', { durable: true, arguments: STREAM_ARGS });
    let start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      if (!ch.sendToQueue('w5', body)) await new Promise((resolve) => ch.once('drain', resolve));
      if ((i + 1) % WINDOW === 0) await ch.waitForConfirms();
    }
    await ch.waitForConfirms();
    const appendSeconds = seconds(start);

    const reader = await conn.createChannel();
    await reader.prefetch(PREFETCH);
    let delivered = 0;
    start = process.hrtime.bigint();
    await reader.consume(
      'w5',
      (m) => {
        if (!m) return;
        delivered++;
        if (delivered % ACK_EVERY === 0 || delivered === count) reader.ack(m, true);
      },
      { arguments: { 'x-stream-offset': 0 } },
    );
    await until(() => delivered === count, 300_000);
    const consumeSeconds = seconds(start);
    return { appendMsgPerSec: Math.round(count / appendSeconds), consumeMsgPerSec: Math.round(count / consumeSeconds) };
  } finally {
    await conn.close().catch(() => {});
    await server.stop();
  }
}

async function overJetStream(count: number) {
  const peer = await startJetStream();
  try {
    let start = process.hrtime.bigint();
    await peer.append(count, body, WINDOW);
    const appendSeconds = seconds(start);
    start = process.hrtime.bigint();
    const bytes = await peer.readAll(count, READ_BUFFER);
    const readSeconds = seconds(start);
    if (bytes !== count * BODY_SIZE) throw new Error(`JetStream read ${bytes} bytes`);
    return {
      server: peer.version,
      appendMsgPerSec: Math.round(count / appendSeconds),
      readMsgPerSec: Math.round(count / readSeconds),
      caveat: JETSTREAM_CAVEAT,
    };
  } finally {
    await peer.stop();
  }
}

/** JetStream's figures, or why there are none (printed on stderr too). */
async function jetStreamOrReason(count: number) {
  try {
    return await overJetStream(count);
  } catch (error) {
    const reason = `${error instanceof PeerUnavailable ? 'skipped' : 'failed'}: ${(error as Error).message}`;
    console.error(`JetStream ${reason}`);
    return reason;
  }
}

/** Runs W5 with `count` messages (data in a temp dir, removed after); for bench/run.ts or the command line. */
export async function runW5(count = 1_000_000) {
  const root = mkdtempSync(join(tmpdir(), 'warren-w5-'));
  try {
    const cpuStart = process.cpuUsage();
    const local = await inProcess(join(root, 'in-process'), count);
    const remote = await overAmqp(join(root, 'amqp'), count);
    const cpu = process.cpuUsage(cpuStart);
    const jetstream = await jetStreamOrReason(count);
    return {
      workload: 'W5',
      messages: count,
      bodyBytes: BODY_SIZE,
      warren: { inProcess: local, amqp: remote },
      cpuSeconds: round((cpu.user + cpu.system) / 1e6),
      peers: { jetstream },
      warrenAmqpToJetStream:
        typeof jetstream === 'string'
          ? null
          : { append: round(remote.appendMsgPerSec / jetstream.appendMsgPerSec), read: round(remote.consumeMsgPerSec / jetstream.readMsgPerSec) },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === THIS_FILE) {
  const serveAt = process.argv.indexOf('--serve');
  const usage = (): never => {
    throw new Error('usage: stream-w5.ts --serve <streams dir>');
  };
  const run =
    serveAt >= 0 ? serve(process.argv[serveAt + 1] ?? usage()) : runW5(Number(process.argv[2]) || undefined).then((r) => console.log(JSON.stringify(r)));
  run.catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
