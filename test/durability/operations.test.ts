import amqp, { type ChannelModel } from 'amqplib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanSegment } from '../../server/store/journal/segment-scan';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// Purge, delete and the console's move change what is on disk too: after a
// restart the purged queue is empty, the deleted one is gone with its
// messages, and moved messages are in their new queue once, in order.

const cleanup = cleanupAfterEach();

async function bodies(conn: ChannelModel, queue: string): Promise<string[]> {
  const ch = await conn.createChannel();
  const out: string[] = [];
  for (;;) {
    const msg = await ch.get(queue, { noAck: true });
    if (!msg) return out;
    out.push(msg.content.toString());
  }
}

/** ENQUEUE and MOVE records in the journal's files, as `kind queue` strings (what a crash at any point could leave). */
function journalRecords(dataDir: string): string[] {
  const dir = join(dataDir, 'journal');
  const out: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort()) {
    const names = new Map<number, string>();
    scanSegment(readFileSync(join(dir, file)), {
      queueName: (ref, _vhost, queue) => names.set(ref, queue),
      message: () => {},
      enqueue: (ref) => out.push(`enqueue ${names.get(ref)}`),
      remove: () => {},
      move: (from, _fromSeq, to) => out.push(`move ${names.get(from)} ${names.get(to)}`),
      dropQueue: () => {},
      delivered: () => {},
    });
  }
  return out;
}

describe('durable operations', () => {
  it('purge, delete and move survive a restart', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    for (const q of ['purged', 'deleted', 'from', 'to']) {
      await ch.assertQueue(q, { durable: true });
      for (let i = 0; i < 10; i++) ch.sendToQueue(q, Buffer.from(`${q} ${i}`), { persistent: true });
    }
    await ch.waitForConfirms();
    expect(await ch.purgeQueue('purged')).toMatchObject({ messageCount: 10 });
    expect(await ch.deleteQueue('deleted')).toMatchObject({ messageCount: 10 });
    expect(await first.broker.moveMessages('/', 'from', 'to', 4)).toBe(4); // as the console does
    // Each moved message is one MOVE record: no crash can leave it in both queues or in neither.
    await new Promise((resolve) => first.broker.store.flush(resolve));
    const records = journalRecords(data.dir);
    expect(records.filter((r) => r.startsWith('move'))).toEqual(Array(4).fill('move from to'));
    expect(records.filter((r) => r === 'enqueue to')).toHaveLength(10);
    await conn.close();
    await first.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    const after = await cleanup.connect(second.url);
    expect(await bodies(after, 'purged')).toEqual([]);
    const check = await after.createChannel();
    check.on('error', () => {});
    await expect(check.checkQueue('deleted')).rejects.toThrow(/NOT_FOUND/);
    const range = (q: string, from: number, to: number) => Array.from({ length: to - from }, (_, k) => `${q} ${from + k}`);
    expect(await bodies(after, 'from')).toEqual(range('from', 4, 10));
    expect(await bodies(after, 'to')).toEqual([...range('to', 0, 10), ...range('from', 0, 4)]);
  });

  it('a move into a full queue that drops its head keeps on disk exactly what the queues hold', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('from', { durable: true });
    await ch.assertQueue('small', { durable: true, arguments: { 'x-max-length': 1 } });
    for (const body of ['a', 'b', 'c']) ch.sendToQueue('from', Buffer.from(body), { persistent: true });
    ch.sendToQueue('small', Buffer.from('x'), { persistent: true });
    await ch.waitForConfirms();
    expect(await first.broker.moveMessages('/', 'from', 'small', 2)).toBe(2);
    await conn.close();
    await first.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    const after = await cleanup.connect(second.url);
    expect(await bodies(after, 'small')).toEqual(['b']);
    expect(await bodies(after, 'from')).toEqual(['c']);
  });

  it('a queue deleted and declared again does not get its old messages back', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('again', { durable: true });
    ch.sendToQueue('again', Buffer.from('old'), { persistent: true });
    await ch.waitForConfirms();
    await ch.deleteQueue('again');
    await ch.assertQueue('again', { durable: true });
    ch.sendToQueue('again', Buffer.from('new'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await first.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    expect(await bodies(await cleanup.connect(second.url), 'again')).toEqual(['new']);
  });
});
