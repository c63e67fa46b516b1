import amqp from 'amqplib';
import { readdirSync, statSync, truncateSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// Damage on disk: the last journal segment is cut in the middle of a record
// and bytes are flipped inside a record of an earlier one. The broker still
// starts, logs what it skipped, and serves every message outside the damage.

const SEGMENT_BYTES = 64 * 1024;
const MESSAGES = 600;
const body = (i: number) => Buffer.from(`message ${i} `.padEnd(500, '.'));

const cleanup = cleanupAfterEach();

function flipByte(file: string, at: number): void {
  const fd = openSync(file, 'r+');
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, at);
  one[0] ^= 0xff;
  writeSync(fd, one, 0, 1, at);
  closeSync(fd);
}

describe('a damaged journal', () => {
  it('is read up to the damage in each segment; the broker logs the skipped bytes and serves the rest in order', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir, { segmentBytes: SEGMENT_BYTES });
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('q', { durable: true });
    for (let i = 0; i < MESSAGES; i++) {
      ch.sendToQueue('q', body(i), { persistent: true });
      if (i % 50 === 49) await ch.waitForConfirms(); // small commits, so segments rotate often
    }
    await conn.close();
    await first.close();

    const dir = join(data.dir, 'journal');
    const segments = readdirSync(dir)
      .filter((name) => name.endsWith('.seg') && statSync(join(dir, name)).size > 8)
      .sort();
    expect(segments.length).toBeGreaterThanOrEqual(4);
    const last = join(dir, segments[segments.length - 1]);
    truncateSync(last, statSync(last).size - 200); // inside the last record
    const middle = join(dir, segments[1]);
    flipByte(middle, Math.floor(statSync(middle).size / 2));

    const second = await openInProcess(data.dir, { segmentBytes: SEGMENT_BYTES });
    cleanup.push(() => second.close());
    const skipped = second.logs.filter((line) => line.startsWith('journal: skipped'));
    expect(skipped).toHaveLength(2);
    expect(skipped.find((l) => l.includes(segments[1]))).toMatch(/\((crc|invalid|torn): /);
    expect(skipped.find((l) => l.includes(segments[segments.length - 1]))).toMatch(/\(torn: /);
    const restored = Number(/and (\d+) messages/.exec(second.logs.join('\n'))![1]);

    const conn2 = await amqp.connect(second.url);
    cleanup.push(() => conn2.close().catch(() => {}));
    const sub = await conn2.createChannel();
    const got: number[] = [];
    await sub.consume('q', (msg) => {
      if (!msg) return;
      const i = Number(/^message (\d+) /.exec(msg.content.toString())![1]);
      expect(msg.content.equals(body(i))).toBe(true);
      got.push(i);
      sub.ack(msg);
    });
    await waitFor(() => got.length === restored, 5000, `${restored} messages`);
    // Lost: the rest of the middle segment and the cut record, nothing else.
    expect(restored).toBeLessThan(MESSAGES);
    expect(restored).toBeGreaterThan(MESSAGES - 100);
    expect(got[0]).toBe(0);
    expect(got.every((i, k) => k === 0 || i > got[k - 1])).toBe(true);
    expect(got).toContain(MESSAGES - 2);

    // And it goes on taking messages.
    const pub = await conn2.createConfirmChannel();
    pub.sendToQueue('q', body(MESSAGES), { persistent: true });
    await pub.waitForConfirms();
    await waitFor(() => got[got.length - 1] === MESSAGES, 2000, 'the new message');
  });
});
