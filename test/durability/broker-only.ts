// A Warren process without the console: metadata database, durable broker
// (journal + topology, recovered at start), AMQP listener and disk alarm,
// wired as server/main.ts wires them. The restart and crash tests and the
// durability benchmark spawn it because loading Next.js would make every
// restart take seconds; the durable part is the same code main.ts runs.
//
// Run: npx tsx test/durability/broker-only.ts <dataDir> [amqpPort] [diskFreeLimitBytes] [journalSegmentBytes]
// Prints "ready <port>" once clients may connect, log lines before that.
// SIGTERM/SIGINT: graceful stop (connections closed, journal synced), exit 0.

import { startAmqpServer } from '../../server/amqp/server';
import { openMetadataDb } from '../../server/store/db';
import { DiskAlarm, diskAlarmReason } from '../../server/store/disk-alarm';
import { openDurableBroker } from '../../server/store/recovery';

const [dataDir, port = '0', diskLimit = String(50_000_000), segmentBytes] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: broker-only.ts <dataDir> [amqpPort] [diskFreeLimitBytes] [journalSegmentBytes]');
  process.exit(2);
}
const log = (line: string) => console.log(line);
const db = await openMetadataDb({ dataDir, log });
const journal = segmentBytes ? { segmentBytes: Number(segmentBytes) } : undefined;
const { broker, store } = await openDurableBroker({ dataDir, db, journal, log });
const amqp = await startAmqpServer({ broker, host: '127.0.0.1', port: Number(port) });
const limit = Number(diskLimit);
const diskAlarm = new DiskAlarm(dataDir, limit, (raised, free) => amqp.setAlarm('disk', raised ? diskAlarmReason(free, limit) : null), log);
console.log(`ready ${amqp.port}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  diskAlarm.stop();
  await amqp.close();
  broker.close();
  await store.close();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
