// Starts Warren for the AMQP benchmarks in a process of its own: metadata
// database, durable broker (journal) and AMQP listener as server/main.ts wires
// them, in a throw-away data directory, without the console.
// Run: npx tsx bench/amqp-warren.ts <port> [--trace on]   (prints "ready <port> <store class>")
// `--trace on`: every message of vhost / is traced into the trace log in the
// data directory, as WARREN_JOURNEY_* defaults bound it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAmqpServer } from '../server/amqp/server';
import { openMetadataDb } from '../server/store/db';
import { openDurableBroker } from '../server/store/recovery';
import { JourneyLog } from '../server/journey/journey-log';
import { textFlag } from './flags';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-bench-'));
const db = await openMetadataDb({ dataDir });
const journeys = textFlag('trace', 'off') === 'on' ? JourneyLog.open(path.join(dataDir, 'journeys'), { maxEvents: 100_000, maxAgeMs: 86_400_000 }) : undefined;
const { broker, store } = await openDurableBroker({ dataDir, db, log: () => {}, journeys });
if (journeys) broker.journeys.setTracing('/', null, true);
const server = await startAmqpServer({ broker, host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
// The store's class tells whether persistent messages really reach a journal here.
console.log(`ready ${server.port} ${broker.store.constructor.name}`);
process.on('SIGTERM', () => {
  void (async () => {
    await server.close();
    broker.close();
    await journeys?.close();
    await store.close();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
