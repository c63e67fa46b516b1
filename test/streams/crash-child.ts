// Child of crash.test.ts: appends to a file-backed stream through the Broker
// as fast as confirms allow, each body naming its offset ("o<offset>"), and
// after each batch of confirms appends "c <highest confirmed offset>" to the
// report file (synchronously, so the line survives the kill that ends it).
// Args: <streams dir> <report file>

import { appendFileSync } from 'node:fs';
import { Broker } from '../../server/broker/broker';
import { FileStreamStorage } from '../../server/store/stream/file-stream-storage';

const usage = (): never => {
  throw new Error('usage: crash-child.ts <streams dir> <report file>');
};
const [dir = usage(), reportFile = usage()] = process.argv.slice(2);
const broker = new Broker({ streams: new FileStreamStorage(dir) });
broker.declareQueue('/', 'crash', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-stream-max-segment-size-bytes': 64 * 1024 } });
let next = broker.streams.get('/', 'crash').lastOffset ?? -1;
next++;
let highest = -1;
let reportScheduled = false;
let inFlight = 0;

function report(): void {
  reportScheduled = false;
  appendFileSync(reportFile, `c ${highest}\n`);
}

function publishSome(): void {
  while (inFlight < 2000) {
    const offset = next++;
    inFlight++;
    broker.publish('/', '', 'crash', { deliveryMode: 2 }, Buffer.from(`o${offset}`.padEnd(120, '.')), {
      onConfirm: (ack) => {
        inFlight--;
        if (!ack) throw new Error(`nack for ${offset}`);
        if (offset > highest) highest = offset;
        if (!reportScheduled) {
          reportScheduled = true;
          setImmediate(report);
        }
      },
    });
  }
  setImmediate(publishSome);
}

publishSome();
