// Starts Warren for the AMQP benchmarks in a process of its own: metadata
// database, durable broker (journal) and AMQP listener as server/main.ts wires
// them, in a throw-away data directory, without the console.
// Run: npx tsx bench/amqp-warren.ts <port>   (prints "ready <port> <store class>")

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAmqpServer } from '../server/amqp/server';
import { openMetadataDb } from '../server/store/db';
import { openDurableBroker } from '../server/store/recovery';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-bench-'));
const db = await openMetadataDb({ dataDir });
const { broker, store } = await openDurableBroker({ dataDir, db, log: () => {} });
const server = await startAmqpServer({ broker, host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
// The store's class tells whether persistent messages really reach a journal here.
console.log(`ready ${server.port} ${broker.store.constructor.name}`);
process.on('SIGTERM', () => {
  void (async () => {
    await server.close();
    broker.close();
    await store.close();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
