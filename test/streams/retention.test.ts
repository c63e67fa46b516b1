// Retention and index lookups of file-backed streams, seen through AMQP:
// old segments go as whole files and the first offset moves; a consumer
// starting at a random offset gets exactly that message.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { FileStreamStorage } from '../../server/store/stream/file-stream-storage';
import { waitFor, withBroker, withChannel, withConfirmChannel } from '../amqp/helpers';
import { tempDir } from './support';

function segmentFiles(storage: FileStreamStorage, name: string): string[] {
  return readdirSync(storage.directoryOf('/', name)).filter((f) => f.endsWith('.seg'));
}

describe('stream retention and lookups', () => {
  it('x-max-length-bytes removes whole old segments and moves the first offset', async () => {
    const storage = new FileStreamStorage(join(tempDir(), 'streams'));
    await withBroker(
      async ({ url, broker }) => {
        await withConfirmChannel(url, async (ch) => {
          await ch.assertQueue('capped', {
            durable: true,
            arguments: { 'x-queue-type': 'stream', 'x-stream-max-segment-size-bytes': 4096, 'x-max-length-bytes': 20_000 },
          });
          for (let i = 0; i < 500; i++) ch.sendToQueue('capped', Buffer.alloc(100, i));
          await ch.waitForConfirms();
        });
        const stats = broker.streams.get('/', 'capped');
        expect(stats.lastOffset).toBe(499);
        expect(stats.firstOffset).toBeGreaterThan(300);
        // Retention runs when a segment is added, so the newest segment may add up to its size.
        expect(stats.bytes).toBeLessThanOrEqual(20_000 + 4096 + 150);
        expect(segmentFiles(storage, 'capped')).toHaveLength(stats.segments);
        await withChannel(url, async (ch) => {
          await ch.prefetch(5);
          const first = await new Promise<ConsumeMessage>((resolve) => {
            void ch.consume('capped', (m) => m && resolve(m), { arguments: { 'x-stream-offset': 'first' } });
          });
          expect(first.properties.headers?.['x-stream-offset']).toBe(stats.firstOffset);
        });
      },
      {},
      { streams: storage },
    );
  });

  it('x-max-age removes segments whose newest message is older', async () => {
    const storage = new FileStreamStorage(join(tempDir(), 'streams'));
    await withBroker(
      async ({ url, broker }) => {
        await withConfirmChannel(url, async (ch) => {
          await ch.assertQueue('recent', {
            durable: true,
            arguments: { 'x-queue-type': 'stream', 'x-stream-max-segment-size-bytes': 2048, 'x-max-age': '1s' },
          });
          for (let i = 0; i < 100; i++) ch.sendToQueue('recent', Buffer.alloc(100, i));
          await ch.waitForConfirms();
          const before = broker.streams.get('/', 'recent');
          expect(before.segments).toBeGreaterThan(3);
          await new Promise((r) => setTimeout(r, 1200));
          ch.sendToQueue('recent', Buffer.from('new'));
          await ch.waitForConfirms();
          await waitFor(() => broker.streams.get('/', 'recent').segments <= 2, 5000, 'old segments to go');
          const after = broker.streams.get('/', 'recent');
          expect(after.firstOffset).toBeGreaterThan(0);
          expect(after.lastOffset).toBe(100);
          expect(segmentFiles(storage, 'recent')).toHaveLength(after.segments);
        });
      },
      {},
      { streams: storage },
    );
  });

  it('a consumer starting at a random offset gets exactly that message', async () => {
    await withBroker(
      async ({ url }) => {
        await withConfirmChannel(url, async (ch) => {
          await ch.assertQueue('big', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-stream-max-segment-size-bytes': 64 * 1024 } });
          for (let i = 0; i < 5000; i++) ch.sendToQueue('big', Buffer.from(`m${i}`.padEnd(200, '.')));
          await ch.waitForConfirms();
        });
        await withChannel(url, async (ch) => {
          await ch.prefetch(1);
          for (let k = 0; k < 10; k++) {
            const offset = Math.floor(Math.random() * 5000);
            const got = await new Promise<ConsumeMessage>((resolve) => {
              void ch.consume('big', (m) => m && resolve(m), { arguments: { 'x-stream-offset': offset }, consumerTag: `c${k}` });
            });
            await ch.cancel(`c${k}`);
            expect(got.properties.headers?.['x-stream-offset']).toBe(offset);
            expect(got.content.toString().replace(/\.+$/, '')).toBe(`m${offset}`);
          }
        });
      },
      {},
      { streams: new FileStreamStorage(join(tempDir(), 'streams')) },
    );
  });

  it('a policy caps a stream already declared, at once, and its segment size applies from the next segment', async () => {
    const storage = new FileStreamStorage(join(tempDir(), 'streams'));
    await withBroker(
      async ({ url, broker }) => {
        await withConfirmChannel(url, async (ch) => {
          await ch.assertQueue('audit-log', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-stream-max-segment-size-bytes': 4096 } });
          for (let i = 0; i < 500; i++) ch.sendToQueue('audit-log', Buffer.alloc(100, i));
          await ch.waitForConfirms();
        });
        expect(broker.streams.get('/', 'audit-log').firstOffset).toBe(0);
        broker.setPolicy('/', {
          name: 'keep-less',
          pattern: '^audit-',
          applyTo: 'queues',
          priority: 0,
          // max-length (not for streams) is left out of what applies; the declared segment size wins over the policy's.
          definition: { 'max-length-bytes': 20_000, 'max-length': 1, 'stream-max-segment-size-bytes': 1_000_000 },
        });
        await waitFor(() => (broker.streams.get('/', 'audit-log').firstOffset ?? 0) > 300, 5000, 'old segments to go');
        const stats = broker.streams.get('/', 'audit-log');
        expect(stats.lastOffset).toBe(499);
        expect(stats.bytes).toBeLessThanOrEqual(20_000 + 4096 + 150);
        expect(segmentFiles(storage, 'audit-log')).toHaveLength(stats.segments);
        expect(broker.getQueue('/', 'audit-log')).toMatchObject({
          policy: 'keep-less',
          effectiveArguments: { 'x-queue-type': 'stream', 'x-stream-max-segment-size-bytes': 4096, 'x-max-length-bytes': 20_000 },
        });
        expect(broker.getQueue('/', 'audit-log').effectiveArguments['x-max-length']).toBeUndefined();
      },
      {},
      { streams: storage },
    );
  });
});
