import amqp from 'amqplib';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveIndex } from '../../server/store/journal/live-index';
import { listSegments, replay } from '../../server/store/journal/replay';
import { segmentFileName } from '../../server/store/journal/format';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// What the console's move of selected messages (Broker.queueTools.move, a
// search as the selection) leaves on disk, cut at every byte: whatever
// prefix of the journal a crash keeps, each message is in exactly one queue.

const cleanup = cleanupAfterEach();

const BODIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
const MOVED = ['beta', 'delta'];

describe('moving selected messages on disk', () => {
  it('every prefix of the journal holds each message in exactly one queue', { timeout: 60_000 }, async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('work', { durable: true });
    await ch.assertQueue('other', { durable: true });
    for (const body of BODIES) ch.sendToQueue('work', Buffer.from(body), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await first.close();

    const second = await openInProcess(data.dir);
    const journalDir = join(data.dir, 'journal');
    const segments = listSegments(journalDir);
    const scratch = join(data.dir, 'cut');
    mkdirSync(scratch);
    for (const no of segments.slice(0, -1)) copyFileSync(join(journalDir, segmentFileName(no)), join(scratch, segmentFileName(no)));
    const result = await second.broker.queueTools.move('/', 'work', 'other', { query: { payload: { text: 'ta' } } });
    expect(result).toEqual({ moved: 2, skipped: 0 });
    await second.close();
    const last = segments[segments.length - 1]!;
    const bytes = readFileSync(join(journalDir, segmentFileName(last)));

    let where = new Map<string, string[]>();
    for (let cut = 8; cut <= bytes.length; cut++) {
      writeFileSync(join(scratch, segmentFileName(last)), bytes.subarray(0, cut));
      const recovery = replay(scratch, new LiveIndex());
      where = new Map();
      for (const queue of recovery.queues) {
        queue.messages.forEach(({ message }) => {
          where.set(message.body.toString(), [...(where.get(message.body.toString()) ?? []), queue.name]);
        });
      }
      for (const body of BODIES) expect({ cut, body, queues: (where.get(body) ?? []).length }).toEqual({ cut, body, queues: 1 });
    }
    expect(BODIES.map((body) => where.get(body))).toEqual(BODIES.map((body) => [MOVED.includes(body) ? 'other' : 'work']));
  });
});
