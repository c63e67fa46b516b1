// Child process of crash.test.ts: journals messages as fast as it can until
// it is killed, and reports to a file, line by line:
//   "c <id>"  message <id> is enqueued in queue "q" at seq <id>, synced
//   "r <id>"  its removal (an ack) is about to be recorded: from here on it
//             may be gone after a crash
//   "a <id>"  its removal is synced: it must be gone after a crash
// Lines are written with writeSync, so the parent has an "r" line before the
// removal can reach the file. (process.stdout is never touched: it would make
// the pipe non-blocking.)
// Every few confirmations it acks an older message, so that segments rotate,
// die and get compacted while the parent kills the process at random moments.
//
// Run: node --import tsx crash-child.ts <journal dir> <first id> <report file>

import { openSync, writeSync } from 'node:fs';
import { Message } from '../../broker/message';
import { Journal } from './journal';

const usage = (): never => {
  throw new Error('usage: crash-child.ts <journal dir> <first id> <report file>');
};
const [dir = usage(), firstId = usage(), reportFile = usage()] = process.argv.slice(2);
const reportFd = openSync(reportFile, 'a');
const { journal } = Journal.open(dir, { segmentBytes: 64 * 1024, compaction: { factor: 1.5, slackBytes: 0 } });
const confirmed: number[] = [];
let nextId = Number(firstId);
let lines: string[] = [];

function publishBatch(): void {
  for (let i = 0; i < 50; i++) {
    const id = nextId++;
    const body = Buffer.alloc(100 + (id % 300), '.');
    body.write(`message ${id}`);
    journal.enqueue('/', 'q', id, new Message(id, 'ex', 'q', { deliveryMode: 2, messageId: String(id) }, body));
    journal.flush((error) => {
      if (error) throw error;
      lines.push(`c ${id}`);
      confirmed.push(id);
      // Ack two of every three confirmed messages, oldest first, leaving a spread of survivors.
      if (id % 3 !== 0) {
        const acked = confirmed.shift()!;
        report(`r ${acked}`);
        journal.remove('/', 'q', acked);
        journal.flush((ackError) => {
          if (ackError) throw ackError;
          lines.push(`a ${acked}`);
        });
      }
    });
  }
  if (lines.length > 0) {
    report(lines.join('\n'));
    lines = [];
  }
  setImmediate(publishBatch);
}

function report(text: string): void {
  writeSync(reportFd, text + '\n');
}

publishBatch();
