// A Warren process without the console: metadata database, durable broker
// (journal + topology, recovered at start), AMQP listener and disk alarm,
// wired as server/main.ts wires them. The restart and crash tests and the
// durability benchmark spawn it because loading Next.js would make every
// restart take seconds; the durable part is the same code main.ts runs.
//
// Run: npx tsx test/durability/broker-only.ts <dataDir> [amqpPort] [diskFreeLimitBytes] [journalSegmentBytes]
// Prints "ready <port>" once clients may connect, log lines before that.
// SIGTERM/SIGINT: graceful stop (connections closed, journal synced), exit 0.

import { mkdirSync } from 'node:fs';
import { startAmqpServer } from '../../server/amqp/server';
import { openMetadataDb } from '../../server/store/db';
import { DiskAlarm, diskAlarmReason } from '../../server/store/disk-alarm';
import { DiskReserve } from '../../server/store/disk-reserve';
import { openDurableBroker } from '../../server/store/recovery';

const [dataDir, port = '0', diskLimit = String(50_000_000), segmentBytes] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: broker-only.ts <dataDir> [amqpPort] [diskFreeLimitBytes] [journalSegmentBytes]');
  process.exit(2);
}
const log = (line: string) => console.log(line);
mkdirSync(dataDir, { recursive: true });
const reserve = new DiskReserve(dataDir);
if (reserve.releaseIfDiskFull()) log('disk: almost no space left in the data directory; gave back the disk reserve so that Warren can start');
const db = await openMetadataDb({ dataDir, log });
const journal = { reserve, ...(segmentBytes ? { segmentBytes: Number(segmentBytes) } : {}) };
const { broker, store } = await openDurableBroker({ dataDir, db, journal, log });
const amqp = await startAmqpServer({ broker, host: '127.0.0.1', port: Number(port) });
const limit = Number(diskLimit);
const diskAlarm = new DiskAlarm(
  dataDir,
  limit,
  (raised, free) => {
    log(raised ? `disk alarm: ${diskAlarmReason(free, limit)}, publishers blocked` : 'disk alarm cleared, publishers unblocked');
    amqp.setAlarm('disk', raised ? diskAlarmReason(free, limit) : null);
  },
  log,
);
store.journal.watchDisk(diskAlarm);
console.log(`ready ${amqp.port}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  diskAlarm.stop();
  await amqp.close();
  broker.close();
  await store.close().catch((error: Error) => log(`journal: ${error.message}`));
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
