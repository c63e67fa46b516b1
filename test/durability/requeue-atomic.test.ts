import amqp from 'amqplib';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { LiveIndex } from '../../server/store/journal/live-index';
import { listSegments, replay } from '../../server/store/journal/replay';
import { segmentFileName } from '../../server/store/journal/format';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// What a requeue from a dead-letter queue leaves on disk, cut at every byte:
// a crash (kill -9, power loss) keeps some prefix of the journal, and
// whatever the prefix, each message is in exactly one of the DLQ and its
// queue. The requeue goes through the whole chain: Broker.deadLetters,
// the store's move hooks, DurableStore and the journal.

const cleanup = cleanupAfterEach();

const BODIES = ['alpha', 'beta', 'gamma', 'delta'];

describe('requeue from a dead-letter queue on disk', () => {
  it('every prefix of the journal holds each message in exactly one queue', { timeout: 60_000 }, async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('orders', { durable: true, arguments: { 'x-retry-tiers': ['10ms'] } });
    for (const body of BODIES) ch.sendToQueue('orders', Buffer.from(body), { persistent: true });
    await ch.waitForConfirms();
    await ch.consume('orders', (m) => m && ch.nack(m, false, false));
    await waitFor(() => first.broker.getQueue('/', 'orders.dlq').ready === BODIES.length, 5000, 'every order dead');
    await conn.close();
    await first.close();

    // The requeue's records go to the segment the restart opens. The older ones
    // are copied first: once the requeue has synced they may be deleted.
    const second = await openInProcess(data.dir);
    const journalDir = join(data.dir, 'journal');
    const segments = listSegments(journalDir);
    const scratch = join(data.dir, 'cut');
    mkdirSync(scratch);
    for (const no of segments.slice(0, -1)) copyFileSync(join(journalDir, segmentFileName(no)), join(scratch, segmentFileName(no)));
    const result = await second.broker.deadLetters.requeue('/', 'orders.dlq', { filter: {} }, { resetAttempts: true });
    expect(result).toEqual({ requeued: BODIES.length, skipped: 0 });
    await second.close();
    const last = segments[segments.length - 1]!;
    const bytes = readFileSync(join(journalDir, segmentFileName(last)));

    const requeuedAt: number[] = [];
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
      for (const body of BODIES) {
        const queues = where.get(body) ?? [];
        expect({ cut, body, queues: queues.length }).toEqual({ cut, body, queues: 1 });
        if (queues[0] === 'orders' && !requeuedAt[BODIES.indexOf(body)]) requeuedAt[BODIES.indexOf(body)] = cut;
      }
    }
    // Each message crossed over at its own point of the file, one after another, and the whole file has them all back.
    expect([...requeuedAt].sort((a, b) => a - b)).toEqual(requeuedAt);
    expect(BODIES.map((body) => where.get(body))).toEqual(BODIES.map(() => ['orders']));
  });
});
