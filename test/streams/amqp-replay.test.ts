// Streams over AMQP with amqplib against a real server: declaring, replay
// from each kind of x-stream-offset, and RabbitMQ's refusals.

import type { Channel, ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { expectClose, waitFor, withBroker, withChannel } from '../amqp/helpers';

const STREAM = { durable: true, arguments: { 'x-queue-type': 'stream' } };

async function publishNumbered(ch: Channel, queue: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
  await waitFor(async () => (await ch.checkQueue(queue)).messageCount >= from + count, 5000, 'messages appended');
}

/** Consumes with the given arguments until `count` messages came; returns their offsets and bodies. */
async function readFrom(ch: Channel, queue: string, args: Record<string, unknown>, count: number): Promise<{ offsets: number[]; bodies: string[] }> {
  const got: ConsumeMessage[] = [];
  await ch.prefetch(10);
  const { consumerTag } = await ch.consume(
    queue,
    (m) => {
      if (!m) return;
      got.push(m);
      ch.ack(m);
    },
    { arguments: args },
  );
  await waitFor(() => got.length >= count, 5000, `${count} deliveries`);
  await ch.cancel(consumerTag);
  return { offsets: got.map((m) => m.properties.headers?.['x-stream-offset'] as number), bodies: got.map((m) => m.content.toString()) };
}

describe('streams over AMQP', () => {
  it('replays from first, last, next, an offset, a timestamp and an interval', async () => {
    await withBroker(async ({ url }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('events', STREAM);
        await publishNumbered(ch, 'events', 0, 10);

        expect((await readFrom(ch, 'events', { 'x-stream-offset': 'first' }, 10)).offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect((await readFrom(ch, 'events', { 'x-stream-offset': 4 }, 6)).bodies).toEqual(['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
        expect((await readFrom(ch, 'events', { 'x-stream-offset': 'last' }, 1)).offsets[0]).toBe(9);
        expect((await readFrom(ch, 'events', { 'x-stream-offset': '1h' }, 10)).offsets[0]).toBe(0);

        // `next` (also the default) waits for what is published after it attached.
        const got: number[] = [];
        await ch.prefetch(10);
        await ch.consume(
          'events',
          (m) => {
            if (!m) return;
            got.push(m.properties.headers?.['x-stream-offset'] as number);
            ch.ack(m);
          },
          { arguments: { 'x-stream-offset': 'next' } },
        );
        await new Promise((r) => setTimeout(r, 100));
        expect(got).toEqual([]);
        ch.sendToQueue('events', Buffer.from('m10'));
        await waitFor(() => got.length === 1, 5000, 'the next message');
        expect(got).toEqual([10]);
      });
    });
  });

  it('starts at the first message not older than an AMQP timestamp', async () => {
    await withBroker(async ({ url }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('ticks', STREAM);
        await publishNumbered(ch, 'ticks', 0, 3);
        await new Promise((r) => setTimeout(r, 1100)); // AMQP timestamps have one-second resolution
        const seconds = Math.ceil(Date.now() / 1000);
        await new Promise((r) => setTimeout(r, seconds * 1000 - Date.now() + 20));
        await publishNumbered(ch, 'ticks', 3, 2);
        const read = await readFrom(ch, 'ticks', { 'x-stream-offset': { '!': 'timestamp', value: seconds } }, 2);
        expect(read.offsets).toEqual([3, 4]);
      });
    });
  });

  it('starts at the first retained offset when asked for an older one, and waits when asked past the tail', async () => {
    await withBroker(async ({ url, broker }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('s', {
          durable: true,
          arguments: { 'x-queue-type': 'stream', 'x-stream-max-segment-size-bytes': 200, 'x-max-length-bytes': 400 },
        });
        for (let i = 0; i < 30; i++) ch.sendToQueue('s', Buffer.from(`m${i}`));
        await waitFor(() => broker.streams.get('/', 's').lastOffset === 29, 5000, 'messages appended');
        const first = broker.streams.get('/', 's').firstOffset as number;
        expect(first).toBeGreaterThan(0);
        expect((await readFrom(ch, 's', { 'x-stream-offset': 0 }, 1)).offsets[0]).toBe(first);

        const got: number[] = [];
        await ch.consume(
          's',
          (m) => {
            if (!m) return;
            got.push(m.properties.headers?.['x-stream-offset'] as number);
            ch.ack(m);
          },
          { arguments: { 'x-stream-offset': 1000 } },
        );
        await new Promise((r) => setTimeout(r, 100));
        expect(got).toEqual([]);
        ch.sendToQueue('s', Buffer.from('late'));
        await waitFor(() => got.length === 1, 5000, 'the new message');
        expect(got).toEqual([30]);
      });
    });
  });

  it('keeps properties and headers and adds x-stream-offset', async () => {
    await withBroker(async ({ url }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('p', STREAM);
        ch.sendToQueue('p', Buffer.from('{"a":1}'), { contentType: 'application/json', headers: { tenant: 'acme' }, messageId: 'x1' });
        const got = await new Promise<ConsumeMessage>((resolve) => {
          void ch.prefetch(1).then(() => ch.consume('p', (m) => m && resolve(m), { arguments: { 'x-stream-offset': 'first' } }));
        });
        expect(got.content.toString()).toBe('{"a":1}');
        expect(got.properties.contentType).toBe('application/json');
        expect(got.properties.messageId).toBe('x1');
        expect(got.properties.headers).toMatchObject({ tenant: 'acme', 'x-stream-offset': 0 });
      });
    });
  });

  it('refuses what RabbitMQ refuses on streams', async () => {
    await withBroker(async ({ url }) => {
      await withChannel(url, async (ch, conn) => {
        let err = await expectClose(ch, () => ch.assertQueue('t', { durable: false, arguments: { 'x-queue-type': 'stream' } }));
        expect(err.code).toBe(406);
        expect(err.message).toContain("invalid property 'non-durable'");

        let c = await conn.createChannel();
        c.on('error', () => {});
        err = await expectClose(c, () => c.assertQueue('t', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': '7X' } }));
        expect(err.code).toBe(406);
        expect(err.message).toContain("invalid arg 'x-max-age'");

        c = await conn.createChannel();
        c.on('error', () => {});
        await c.assertQueue('t', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': '7D' } });
        err = await expectClose(c, () => c.consume('t', () => {}, { arguments: { 'x-stream-offset': 'first' } }));
        expect(err.code).toBe(406);
        expect(err.message).toContain("consumer prefetch count is not set for stream queue 't' in vhost '/'");

        c = await conn.createChannel();
        c.on('error', () => {});
        await c.prefetch(5);
        err = await expectClose(c, () => c.consume('t', () => {}, { noAck: true }));
        expect(err.code).toBe(406);
        expect(err.message).toContain('consumer prefetch count is not set for stream');

        c = await conn.createChannel();
        c.on('error', () => {});
        await c.prefetch(5);
        err = await expectClose(c, () => c.consume('t', () => {}, { arguments: { 'x-stream-offset': 'sometime' } }));
        expect(err.code).toBe(406);
        expect(err.message).toContain("invalid arg 'x-stream-offset'");

        c = await conn.createChannel();
        c.on('error', () => {});
        err = await expectClose(c, () => c.purgeQueue('t'));
        expect(err.code).toBe(406);
        expect(err.message).toContain('cannot be purged');
      });
      await withChannel(url, async (ch, conn) => {
        await ch.assertQueue('g', STREAM);
        const err = await expectClose(conn, () => ch.get('g'));
        expect(err.code).toBe(540);
        expect(err.message).toContain("basic.get not supported by stream queues queue 'g' in vhost '/'");
      });
    });
  });

  it('answers 404 for a deleted stream', async () => {
    await withBroker(async ({ url, broker }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('gone', STREAM);
        await publishNumbered(ch, 'gone', 0, 2);
        await ch.deleteQueue('gone');
        expect(() => broker.streams.read('/', 'gone', { kind: 'first' }, 10)).toThrow(/NOT_FOUND - no queue 'gone'/);
        await ch.prefetch(1);
        const err = await expectClose(ch, () => ch.consume('gone', () => {}));
        expect(err.code).toBe(404);
      });
    });
  });
});
