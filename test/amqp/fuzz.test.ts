import { describe, expect, it, vi } from 'vitest';
import { FrameOutput } from '../../server/amqp/codec/frame-output';
import * as spec from '../../server/amqp/codec/generated/spec';
import { SeededRandom } from '../../server/amqp/codec/seeded-random';
import { waitFor, withBroker, withChannel } from './helpers';
import { RawClient } from './raw-client';

// Thousands of random and mutated frames on raw sockets; afterwards the
// broker must still serve a well-behaved client and hold no stale connection.

const CONNECTIONS = 240;
const FRAMES_PER_CONNECTION = 25;

/** A plausible client frame: a real method with random arguments, or content. */
function randomFrame(rnd: SeededRandom, out: FrameOutput): void {
  const ch = rnd.pick([1, 1, 1, 2, 0, rnd.int(0, 65535)]);
  const name = rnd.pick(['q', 'x', 'amq.q', '', rnd.string(20)]);
  switch (rnd.int(0, 13)) {
    case 0:
      return out.method(ch, spec.writeChannelOpen, {});
    case 1:
      return out.method(ch, spec.writeQueueDeclare, {
        queue: name,
        durable: rnd.bool(),
        exclusive: rnd.bool(),
        autoDelete: rnd.bool(),
        passive: rnd.bool(),
        arguments: rnd.bool() ? {} : { 'x-max-length': rnd.int(-5, 5), 'x-message-ttl': rnd.string(3) },
      });
    case 2:
      return out.method(ch, spec.writeExchangeDeclare, {
        exchange: name,
        type: rnd.pick(['direct', 'fanout', 'topic', 'headers', 'bogus']),
        durable: rnd.bool(),
        arguments: {},
      });
    case 3:
      return out.method(ch, spec.writeQueueBind, { queue: name, exchange: rnd.pick(['amq.topic', 'x', '']), routingKey: rnd.string(10), arguments: {} });
    case 4:
      out.method(ch, spec.writeBasicPublish, { exchange: rnd.pick(['', 'amq.fanout', 'x']), routingKey: name, mandatory: rnd.bool() });
      return out.content(
        ch,
        60,
        { headers: { a: rnd.int(0, 9) }, deliveryMode: rnd.int(1, 2), expiration: rnd.pick([undefined, '0', '100', 'nan']) },
        rnd.bytes(rnd.int(0, 300)),
        4096,
      );
    case 5:
      return out.method(ch, spec.writeBasicConsume, {
        queue: name,
        consumerTag: rnd.pick(['', 't1', 't1']),
        noAck: rnd.bool(),
        exclusive: rnd.bool(),
        arguments: {},
      });
    case 6:
      return out.method(ch, spec.writeBasicAck, { deliveryTag: rnd.int(0, 5), multiple: rnd.bool() });
    case 7:
      return out.method(ch, spec.writeBasicNack, { deliveryTag: rnd.int(0, 5), multiple: rnd.bool(), requeue: rnd.bool() });
    case 8:
      return out.method(ch, spec.writeBasicGet, { queue: name, noAck: rnd.bool() });
    case 9:
      return out.method(ch, spec.writeBasicQos, { prefetchCount: rnd.int(0, 3), global: rnd.bool() });
    case 10:
      return out.method(ch, rnd.pick([spec.writeTxSelect, spec.writeTxCommit, spec.writeTxRollback]), {});
    case 11:
      return out.method(ch, spec.writeConfirmSelect, { nowait: rnd.bool() });
    case 12:
      return out.method(ch, rnd.pick([spec.writeChannelClose, spec.writeConnectionClose]), { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
    default:
      return out.method(ch, spec.writeQueueDelete, { queue: name, ifEmpty: rnd.bool(), ifUnused: rnd.bool() });
  }
}

/** One fuzzing session: handshake (sometimes skipped), frames, mutations, random garbage. */
async function fuzzOnce(port: number, rnd: SeededRandom): Promise<void> {
  const handshake = rnd.int(0, 9) > 0;
  const client = await RawClient.connect(port, handshake).catch(() => undefined);
  if (!client) return;
  const out = new FrameOutput();
  if (!handshake) out.raw(rnd.bool() ? spec.PROTOCOL_HEADER : rnd.bytes(8));
  for (let i = 0; i < FRAMES_PER_CONNECTION; i++) randomFrame(rnd, out);
  const stream = Buffer.concat(out.take());
  const mode = rnd.int(0, 3);
  if (mode === 1) for (let flips = rnd.int(1, 6); flips > 0; flips--) stream[rnd.int(0, stream.length - 1)] = rnd.int(0, 255);
  if (mode === 2) rnd.bytes(64).copy(stream, rnd.int(0, Math.max(0, stream.length - 64)));
  // Chunks of random sizes, as TCP might deliver them.
  for (let pos = 0; pos < stream.length; ) {
    const n = rnd.int(1, 2000);
    client.write(stream.subarray(pos, pos + n));
    pos += n;
  }
  if (mode === 3) client.write(rnd.bytes(rnd.int(1, 500)));
  await new Promise((r) => setTimeout(r, rnd.int(0, 30)));
  client.destroy();
}

describe('fuzzing the AMQP listener', () => {
  it(
    `survives ${CONNECTIONS * FRAMES_PER_CONNECTION} random and mutated frames`,
    () =>
      withBroker(async ({ url, port, broker, server }) => {
        // No input may reach an unexpected code path (which logs and closes with 541).
        const internalErrors = vi.spyOn(console, 'error');
        const rnd = new SeededRandom(4242);
        for (let batch = 0; batch < CONNECTIONS / 20; batch++) {
          await Promise.all(Array.from({ length: 20 }, () => fuzzOnce(port, new SeededRandom(rnd.int(0, 2 ** 31)))));
        }
        await waitFor(() => server.connectionCount === 0, 10_000, 'fuzzing sockets to close');
        await waitFor(() => broker.listConnections().length === 0, 5000, 'engine connections to be released');
        expect(internalErrors).not.toHaveBeenCalled();
        internalErrors.mockRestore();
        await withChannel(url, async (ch) => {
          const q = await ch.assertQueue('after-fuzz');
          ch.sendToQueue(q.queue, Buffer.from('fine'));
          const msg = await waitFor(() => ch.get(q.queue, { noAck: true }));
          expect(msg && msg.content.toString()).toBe('fine');
        });
      }),
    60_000,
  );
});
