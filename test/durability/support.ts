// Helpers for the durability tests: a data directory per test, a durable
// Warren either in this process (to reach the facade, e.g. console moves) or
// as a child process of broker-only.ts (to stop it with SIGTERM or SIGKILL).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAmqpServer } from '../../server/amqp/server';
import type { Broker } from '../../server/broker/broker';
import { type MetadataDb, openMetadataDb } from '../../server/store/db';
import type { JournalDamage } from '../../server/store/journal/damage-report';
import type { JournalOptions } from '../../server/store/journal/journal';
import { openDurableBroker } from '../../server/store/recovery';

const ENTRY = fileURLToPath(new URL('./broker-only.ts', import.meta.url));

export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'warren-durability-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface InProcessBroker {
  broker: Broker;
  url: string;
  /** Lines logged while opening (recovery reports). */
  logs: string[];
  /** What recovery lost to damaged journal bytes, as the overview and /metrics show it. */
  journalDamage: JournalDamage | null;
  /** Its metadata database (for console calls that record an audit entry). */
  db: MetadataDb;
  /** Graceful stop: AMQP closed, journal synced and closed, database closed. */
  close(): Promise<void>;
}

export async function openInProcess(dataDir: string, journal?: JournalOptions): Promise<InProcessBroker> {
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const db = await openMetadataDb({ dataDir, log });
  const { broker, store, journalDamage } = await openDurableBroker({ dataDir, db, journal, log });
  const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0 });
  return {
    broker,
    db,
    url: `amqp://guest:guest@127.0.0.1:${server.port}`,
    logs,
    journalDamage,
    async close() {
      await server.close();
      broker.close();
      await store.close();
      await db.close();
    },
  };
}

export interface BrokerProcess {
  url: string;
  port: number;
  pid: number;
  /** Everything it printed so far. */
  output: string[];
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for it to be gone. */
  kill(): Promise<void>;
}

/** Starts broker-only.ts on `dataDir` in a child process; resolves once it prints "ready <port>". */
export function spawnBroker(
  dataDir: string,
  /** nodeArgs: extra options for Node itself, e.g. a small --max-old-space-size. */
  options: { diskFreeLimitBytes?: number; segmentBytes?: number; nodeArgs?: string[] } = {},
): Promise<BrokerProcess> {
  const args = [...(options.nodeArgs ?? []), '--import', 'tsx', ENTRY, dataDir, '0', String(options.diskFreeLimitBytes ?? 50_000_000)];
  if (options.segmentBytes !== undefined) args.push(String(options.segmentBytes));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        output.push(line);
        const ready = /^ready (\d+)$/.exec(line);
        if (ready) resolve(handle(child, Number(ready[1]), output, exited));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(...chunk.toString().trimEnd().split('\n')));
    void exited.then((code) => reject(new Error(`broker exited (${code}) before ready:\n${output.join('\n')}`)));
  });
}

function handle(child: ChildProcess, port: number, output: string[], exited: Promise<number | null>): BrokerProcess {
  return {
    port,
    pid: child.pid!,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
