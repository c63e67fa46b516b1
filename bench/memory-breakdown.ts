// Where the memory of a queued persistent message goes (W6 of
// docs/benchmarks.md, taken apart in process): N messages of 256 bytes are
// journaled to one durable queue, then the journal is replayed and the
// messages put back into an engine queue, as a restart does. Heap and
// array-buffer growth per message is measured after each step (gc() in
// between), plus the cost of each kind of object on its own for reference.
//
// Run: node --import tsx --expose-gc bench/memory-breakdown.ts [--messages 1000000]
// Prints one JSON object.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Broker } from '../server/broker/broker';
import { Message, SlabMessage } from '../server/broker/message';
import { Journal } from '../server/store/journal/journal';
import { numberFlag } from './flags';
import { rssBytes } from './process-stats';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MESSAGES = numberFlag('messages', 1_000_000);
const BODY_SIZE = 256;
const PROPERTIES = { deliveryMode: 2 };

function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const perMessage = (bytes: number) => Math.round(bytes / MESSAGES);

/** Bytes per element of something built N times. */
function costOf(make: (i: number) => unknown): number {
  const kept: unknown[] = new Array(MESSAGES);
  const before = used();
  for (let i = 0; i < MESSAGES; i++) kept[i] = make(i);
  const after = used();
  if (kept.length !== MESSAGES) throw new Error('unreachable');
  return perMessage(after - before) - 8; // less the array slot holding it
}

const dir = mkdtempSync(join(tmpdir(), 'warren-memory-breakdown-'));
try {
  const slab = Buffer.allocUnsafeSlow(BODY_SIZE * 16);
  const shared = Buffer.alloc(BODY_SIZE);
  const reference = {
    bufferViewObject: costOf((i) => slab.subarray((i & 15) * BODY_SIZE, ((i & 15) + 1) * BODY_SIZE)),
    messageObject: costOf((i) => new Message(i + 1, '', 'backlog', PROPERTIES, shared)),
    slabMessageObject: costOf((i) => new SlabMessage(i + 1, '', 'backlog', PROPERTIES, slab, (i & 15) * BODY_SIZE, BODY_SIZE)),
  };

  const { journal } = Journal.open(dir);
  for (let id = 1; id <= MESSAGES; id++) {
    journal.enqueue('/', 'backlog', id, new Message(id, '', 'backlog', PROPERTIES, Buffer.alloc(BODY_SIZE, id & 0xff)));
    if (id % 10_000 === 0) await new Promise<void>((resolve, reject) => journal.flush((e) => (e ? reject(e) : resolve())));
  }
  await journal.close();
  gc();

  const start = used();
  const rssStart = rssBytes(process.pid);
  const opened = Journal.open(dir);
  const afterReplay = used();
  const diskBytes = opened.journal.stats().diskBytes;
  const broker = new Broker();
  broker.declareQueue('/', 'backlog', { durable: true });
  const queue = opened.recovery.queues[0]!;
  broker.restoreQueueMessages('/', 'backlog', queue.messages, () => {});
  const withQueue = used();
  const rssRestored = rssBytes(process.pid);
  if (broker.getQueue('/', 'backlog').ready !== MESSAGES) throw new Error('not every message came back');

  console.log(
    JSON.stringify(
      {
        workload: 'memory breakdown (W6 in process)',
        messages: MESSAGES,
        bodyBytes: BODY_SIZE,
        journalBytesOnDiskPerMessage: perMessage(diskBytes),
        /** Journal index, Message objects and the body slabs they point into (replay keeps no list of the messages). */
        afterReplayPerMessage: perMessage(afterReplay - start),
        /** Plus the engine queue's entries: what stays per queued message. */
        afterRestorePerMessage: perMessage(withQueue - start),
        engineQueuePerMessage: perMessage(withQueue - afterReplay),
        rssAfterRestorePerMessage: perMessage(rssRestored - rssStart),
        reference,
      },
      null,
      2,
    ),
  );
  broker.close();
  await opened.journal.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
