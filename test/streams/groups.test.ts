// Consumer groups over AMQP (x-stream-group): committed offsets advanced by
// acks, lag per group, one active consumer per group, resume after a
// reconnect and after a broker restart over the same stream directory.

import type { Channel, ConsumeMessage } from 'amqplib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BrokerOptions } from '../../server/broker/broker';
import { FileStreamStorage } from '../../server/store/stream/file-stream-storage';
import { expectClose, waitFor, withBroker, withChannel, withConfirmChannel } from '../amqp/helpers';
import { tempDir } from './support';

const STREAM = { durable: true, arguments: { 'x-queue-type': 'stream' } };

function fileStreams(dir: string): BrokerOptions {
  return { streams: new FileStreamStorage(join(dir, 'streams')) };
}

async function publishConfirmed(url: string, queue: string, from: number, count: number): Promise<void> {
  await withConfirmChannel(url, async (ch) => {
    await ch.assertQueue(queue, STREAM);
    for (let i = from; i < from + count; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
  });
}

/** A group consumer that acks the first `ackUpTo` offsets it gets (all when undefined); returns the offsets received. */
async function consumeGroup(ch: Channel, queue: string, group: string, ackWhile: (offset: number) => boolean, extra: Record<string, unknown> = {}) {
  const offsets: number[] = [];
  await ch.prefetch(10);
  const { consumerTag } = await ch.consume(
    queue,
    (m: ConsumeMessage | null) => {
      if (!m) return;
      const offset = m.properties.headers?.['x-stream-offset'] as number;
      offsets.push(offset);
      if (ackWhile(offset)) ch.ack(m);
    },
    { arguments: { 'x-stream-group': group, 'x-stream-offset': 'first', ...extra } },
  );
  return { offsets, consumerTag };
}

describe('stream consumer groups', () => {
  it('two groups at different speeds show different lag in messages, bytes and time', async () => {
    await withBroker(
      async ({ url, broker }) => {
        await publishConfirmed(url, 'orders', 0, 50);
        await new Promise((r) => setTimeout(r, 300));
        await publishConfirmed(url, 'orders', 50, 50);
        await withChannel(url, async (ch) => {
          const fast = await consumeGroup(ch, 'orders', 'fast', () => true);
          const slow = await consumeGroup(ch, 'orders', 'slow', (o) => o < 30);
          await waitFor(() => fast.offsets.length === 100 && slow.offsets.length === 40, 5000, 'deliveries');
          await waitFor(() => broker.streams.groups('/', 'orders').every((g) => g.committedOffset === (g.name === 'fast' ? 99 : 29)), 5000, 'commits');
          const groups = Object.fromEntries(broker.streams.groups('/', 'orders').map((g) => [g.name, g]));
          expect(groups.fast!.lag).toEqual({ messages: 0, bytes: 0, ms: 0 });
          expect(groups.slow!.lag.messages).toBe(70);
          expect(groups.slow!.lag.bytes).toBeGreaterThan(70 * 3);
          expect(groups.slow!.lag.ms).toBeGreaterThanOrEqual(250);
          expect(groups.slow!.consumers).toBe(1);
          expect(groups.slow!.activeConsumerTag).toBe(slow.consumerTag);
        });
      },
      {},
      fileStreams(tempDir()),
    );
  });

  it('resumes after the committed offset when the group reconnects, whatever x-stream-offset says', async () => {
    await withBroker(async ({ url }) => {
      await publishConfirmed(url, 'log', 0, 50);
      await withChannel(url, async (ch) => {
        const first = await consumeGroup(ch, 'log', 'g', (o) => o < 20);
        await waitFor(() => first.offsets.length === 30, 5000, 'first deliveries');
      });
      await withChannel(url, async (ch) => {
        const again = await consumeGroup(ch, 'log', 'g', () => true);
        await waitFor(() => again.offsets.length === 30, 5000, 'resumed deliveries');
        expect(again.offsets[0]).toBe(20);
        expect(again.offsets.at(-1)).toBe(49);
      });
    });
  });

  it('keeps one active consumer per group; a waiting one takes over after the committed offset', async () => {
    await withBroker(async ({ url, broker }) => {
      await publishConfirmed(url, 'jobs', 0, 40);
      await withChannel(url, async (ch1) => {
        await withChannel(url, async (ch2) => {
          const active = await consumeGroup(ch1, 'jobs', 'workers', (o) => o < 15);
          await waitFor(() => active.offsets.length === 25, 5000, 'active deliveries');
          const standby = await consumeGroup(ch2, 'jobs', 'workers', () => true);
          await new Promise((r) => setTimeout(r, 100));
          expect(standby.offsets).toEqual([]);
          expect(broker.streams.groups('/', 'jobs')[0]!.consumers).toBe(2);
          await ch1.cancel(active.consumerTag);
          await waitFor(() => standby.offsets.length === 25, 5000, 'standby deliveries');
          expect(standby.offsets[0]).toBe(15);
          expect(broker.streams.groups('/', 'jobs')[0]!.activeConsumerTag).toBe(standby.consumerTag);
        });
      });
    });
  });

  it('commits only up to the first unsettled record, so acks out of order skip nothing at a handover', async () => {
    await withBroker(async ({ url, broker }) => {
      await publishConfirmed(url, 'tasks', 0, 10);
      await withChannel(url, async (ch) => {
        // Acks every record but offset 3, which stays unacked until the channel closes.
        const first = await consumeGroup(ch, 'tasks', 'g', (o) => o !== 3);
        await waitFor(() => first.offsets.length === 10, 5000, 'first deliveries');
        await waitFor(() => broker.streams.groups('/', 'tasks')[0]!.committedOffset === 2, 5000, 'commit up to 2');
        await new Promise((r) => setTimeout(r, 100));
        expect(broker.streams.groups('/', 'tasks')[0]!.committedOffset).toBe(2);
      });
      await withChannel(url, async (ch) => {
        const again = await consumeGroup(ch, 'tasks', 'g', () => true);
        await waitFor(() => again.offsets.length === 7, 5000, 'resumed deliveries');
        expect(again.offsets[0]).toBe(3);
        await waitFor(() => broker.streams.groups('/', 'tasks')[0]!.committedOffset === 9, 5000, 'commit to the tail');
      });
    });
  });

  it('counts a reject without requeue as settled, and a nack with requeue as not', async () => {
    await withBroker(async ({ url, broker }) => {
      await publishConfirmed(url, 'work', 0, 4);
      await withChannel(url, async (ch) => {
        await ch.prefetch(10);
        const seen: number[] = [];
        await ch.consume(
          'work',
          (m) => {
            if (!m) return;
            const offset = m.properties.headers?.['x-stream-offset'] as number;
            seen.push(offset);
            if (offset === 0) ch.reject(m, false);
            else if (offset === 2) ch.nack(m, false, true);
            else ch.ack(m);
          },
          { arguments: { 'x-stream-group': 'g', 'x-stream-offset': 'first' } },
        );
        await waitFor(() => seen.length === 4, 5000, 'deliveries');
        await waitFor(() => broker.streams.groups('/', 'work')[0]!.committedOffset === 1, 5000, 'commit past the reject');
        await new Promise((r) => setTimeout(r, 100));
        expect(broker.streams.groups('/', 'work')[0]!.committedOffset).toBe(1);
      });
    });
  });

  it('resets a group only while none of its consumers is connected', async () => {
    await withBroker(async ({ url, broker }) => {
      await publishConfirmed(url, 'audit', 0, 20);
      await withChannel(url, async (ch) => {
        const c = await consumeGroup(ch, 'audit', 'g', () => true);
        await waitFor(() => c.offsets.length === 20, 5000, 'deliveries');
        expect(() => broker.streams.resetGroup('/', 'audit', 'g', { kind: 'first' })).toThrow(
          /PRECONDITION_FAILED - consumer group 'g' of stream queue 'audit' in vhost '\/' has 1 connected consumer\(s\); cancel them before resetting its offset/,
        );
      });
      expect(broker.streams.resetGroup('/', 'audit', 'g', { kind: 'offset', offset: 5 })).toBe(5);
      expect(broker.streams.groups('/', 'audit')[0]!.lag.messages).toBe(15);
      await withChannel(url, async (ch) => {
        const c = await consumeGroup(ch, 'audit', 'g', () => true);
        await waitFor(() => c.offsets.length === 15, 5000, 'deliveries after reset');
        expect(c.offsets[0]).toBe(5);
      });
    });
  });

  it('keeps messages and group offsets across a broker restart over the same directory', async () => {
    const dir = tempDir();
    await withBroker(
      async ({ url }) => {
        await publishConfirmed(url, 'history', 0, 100);
        await withChannel(url, async (ch) => {
          const c = await consumeGroup(ch, 'history', 'g', (o) => o < 60);
          await waitFor(() => c.offsets.length === 70, 5000, 'deliveries');
        });
      },
      {},
      fileStreams(dir),
    );
    await withBroker(
      async ({ url, broker }) => {
        await withChannel(url, async (ch) => {
          await ch.assertQueue('history', STREAM); // recovery re-declares durable queues
          expect(broker.streams.get('/', 'history')).toMatchObject({ messages: 100, firstOffset: 0, lastOffset: 99 });
          expect(broker.streams.groups('/', 'history')[0]).toMatchObject({ name: 'g', committedOffset: 59 });
          const c = await consumeGroup(ch, 'history', 'g', () => true);
          await waitFor(() => c.offsets.length === 40, 5000, 'resumed deliveries');
          expect(c.offsets[0]).toBe(60);
          const page = broker.streams.read('/', 'history', { kind: 'offset', offset: 10 }, 5);
          expect(page.messages.map((m) => m.body.toString())).toEqual(['m10', 'm11', 'm12', 'm13', 'm14']);
          expect(page).toMatchObject({ previousOffset: 5, nextOffset: 15, firstOffset: 0, tailOffset: 100 });
        });
      },
      {},
      fileStreams(dir),
    );
  });

  it('counts acks sent after the consumer was cancelled', async () => {
    await withBroker(async ({ url, broker }) => {
      await publishConfirmed(url, 'late', 0, 30);
      await withChannel(url, async (ch) => {
        const held: ConsumeMessage[] = [];
        await ch.prefetch(10);
        const { consumerTag } = await ch.consume('late', (m) => m && held.push(m), { arguments: { 'x-stream-group': 'g', 'x-stream-offset': 'first' } });
        await waitFor(() => held.length === 10, 5000, 'deliveries');
        await ch.cancel(consumerTag);
        for (const m of held) ch.ack(m);
        await waitFor(() => broker.streams.groups('/', 'late')[0]!.committedOffset === 9, 5000, 'the late acks');
        expect(broker.streams.groups('/', 'late')[0]).toMatchObject({ consumers: 0, lag: { messages: 20 } });
      });
    });
  });

  it('refuses an empty group name', async () => {
    await withBroker(async ({ url }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('s', STREAM);
        await ch.prefetch(1);
        const err = await expectClose(ch, () => ch.consume('s', () => {}, { arguments: { 'x-stream-group': '' } }));
        expect(err.code).toBe(406);
        expect(err.message).toContain("invalid arg 'x-stream-group'");
      });
    });
  });
});
