// Starts Warren for the AMQP benchmarks in a process of its own: metadata
// database, durable broker (journal) and AMQP listener as server/main.ts wires
// them, in a throw-away data directory, without the console.
// Run: npx tsx bench/amqp-warren.ts <port> [--trace on]
//   (prints "ready <amqp port> <store class> <metrics port>")
// `--trace on`: every message of vhost / is traced into the trace log in the
// data directory, as WARREN_JOURNEY_* defaults bound it.
// /metrics (Prometheus text, as the full server serves it) listens on an
// ephemeral loopback port, so that a benchmark can read the broker's
// event-loop delay (warren_event_loop_delay_p99_seconds) during a run.

import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Sessions } from '../server/auth/sessions';
import { Users } from '../server/auth/users';
import { startAmqpServer } from '../server/amqp/server';
import { AccessControl } from '../server/broker/access/access-control';
import { metricsEndpoint, PrometheusMetrics, serveMetrics } from '../server/http/metrics';
import { BrokerSampler } from '../server/metrics/broker-sampler';
import { ProcessSampler } from '../server/metrics/process-sampler';
import { createMonitoring, DEFAULT_MONITORING } from '../server/monitoring';
import type { Services } from '../server/services';
import { openMetadataDb } from '../server/store/db';
import { openDurableBroker } from '../server/store/recovery';
import { JourneyLog } from '../server/journey/journey-log';
import { textFlag } from './flags';

const startedAt = Date.now();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-bench-'));
const db = await openMetadataDb({ dataDir });
const journeys = textFlag('trace', 'off') === 'on' ? JourneyLog.open(path.join(dataDir, 'journeys'), { maxEvents: 100_000, maxAgeMs: 86_400_000 }) : undefined;
const { broker, store } = await openDurableBroker({ dataDir, db, log: () => {}, journeys });
if (journeys) broker.journeys.setTracing('/', null, true);
const server = await startAmqpServer({ broker, host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });

const sampler = new ProcessSampler();
sampler.start();
const brokerSampler = new BrokerSampler(broker);
const services: Services = {
  broker,
  db,
  users: new Users(db, new AccessControl()),
  sessions: new Sessions(),
  sampler,
  brokerSampler,
  // Built for /metrics' shape only: the history and alerts are not started, so they cost the run nothing.
  ...createMonitoring(broker, brokerSampler, db, DEFAULT_MONITORING),
  version: 'bench',
  nodeName: broker.nodeName,
  startedAt,
  alarms: () => server.activeAlarms(),
  memory: () => server.memory(),
  listeners: { amqp: `127.0.0.1:${server.port}`, http: '' },
  processFaults: { unhandledRejections: 0 },
  journalSyncLatency: store.journal.syncLatency,
};
const metrics = new PrometheusMetrics(() => services);
const metricsHttp = createServer((req, res) => {
  const endpoint = metricsEndpoint(req.url ?? '/');
  if (endpoint === null) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('This benchmark broker serves /metrics and /metrics/per-object only.\n');
    return;
  }
  serveMetrics(metrics, endpoint, req, res, { token: undefined, tokenSetting: 'none' }, (error) => console.error('metrics failed:', error));
});
await new Promise<void>((resolve) => metricsHttp.listen(0, '127.0.0.1', resolve));

// The store's class tells whether persistent messages really reach a journal here.
console.log(`ready ${server.port} ${broker.store.constructor.name} ${(metricsHttp.address() as AddressInfo).port}`);
process.on('SIGTERM', () => {
  void (async () => {
    metricsHttp.close();
    sampler.stop();
    await server.close();
    broker.close();
    await journeys?.close();
    await store.close();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
