// Child process of requeue-crash.test.ts: opens the durable broker on
// <dataDir> as broker-only.ts does and requeues everything in 'orders.dlq'
// back to 'orders' (as the console's "requeue all" does) until it is killed.
// Reports to <reportFile>, with writeSync so the line is there before the
// next slice runs:
//   "p <n>"  'orders' holds <n> >= <threshold> messages (in memory): the
//            parent kills the process shortly after this line
//   "done"   the requeue finished before the threshold was reached
// It then idles until the kill.
//
// Run: node --import tsx requeue-crash-child.ts <dataDir> <threshold> <reportFile>

import { openSync, writeSync } from 'node:fs';
import { openMetadataDb } from '../../server/store/db';
import { openDurableBroker } from '../../server/store/recovery';

const usage = (): never => {
  throw new Error('usage: requeue-crash-child.ts <dataDir> <threshold> <reportFile>');
};
const [dataDir = usage(), threshold = usage(), reportFile = usage()] = process.argv.slice(2);
const report = openSync(reportFile, 'a');
const db = await openMetadataDb({ dataDir, log: () => {} });
const { broker } = await openDurableBroker({ dataDir, db, log: () => {} });
const inOrders = () => broker.getQueue('/', 'orders').ready;

let reported = false;
// Runs between the requeue's slices (both yield with setImmediate).
const watch = () => {
  if (reported) return;
  if (inOrders() >= Number(threshold)) {
    reported = true;
    writeSync(report, `p ${inOrders()}\n`);
  } else setImmediate(watch);
};
watch();
await broker.deadLetters.requeue('/', 'orders.dlq', { filter: {} });
if (!reported) {
  reported = true;
  writeSync(report, 'done\n');
}
setInterval(() => {}, 60_000);
