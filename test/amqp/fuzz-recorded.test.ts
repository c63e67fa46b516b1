import net from 'node:net';
import amqp from 'amqplib';
import { describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../../server/amqp/codec/seeded-random';
import { waitFor, withBroker, withChannel } from './helpers';

// Over 100,000 frames of a real amqplib session, replayed on hundreds of
// sockets with mutations: flipped bytes, truncations, wrong frame types and
// channels, methods on closed channels, content without its method. The
// broker must stay up, reach no unexpected code path (those log "internal
// error" and close with 541), release every connection, and then serve a
// normal client.

const SOCKETS = 3000;
/** Times each socket goes through the recorded session. */
const PASSES = 3;
const FRAME_END = 0xce;

/** What an amqplib client sends for a typical session, as raw frames (the protocol header first). */
async function recordSession(brokerPort: number): Promise<{ header: Buffer; handshake: Buffer[]; frames: Buffer[] }> {
  const sent: Buffer[] = [];
  const proxy = net.createServer((client) => {
    const upstream = net.connect(brokerPort, '127.0.0.1');
    client.on('data', (chunk) => {
      sent.push(Buffer.from(chunk));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as net.AddressInfo).port;
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  const ch = await conn.createConfirmChannel();
  await ch.assertExchange('fz.topic', 'topic', { durable: false });
  await ch.assertQueue('fz.q', { durable: false, arguments: { 'x-max-length': 50, 'x-message-ttl': 60_000 } });
  await ch.bindQueue('fz.q', 'fz.topic', 'order.*');
  await ch.prefetch(5);
  for (let i = 0; i < 5; i++)
    ch.publish('fz.topic', 'order.created', Buffer.from(`{"id":${i}}`), { headers: { n: i }, persistent: i % 2 === 0, messageId: `m${i}` });
  await ch.waitForConfirms();
  const got = await ch.get('fz.q');
  if (got) ch.nack(got, false, true);
  const consumed = new Promise<void>((resolve) => {
    void ch.consume('fz.q', (m) => {
      if (m) ch.ack(m);
      resolve();
    });
  });
  await consumed;
  const tx = await conn.createChannel();
  await tx.assertQueue('', { exclusive: true });
  await tx.purgeQueue('fz.q');
  await tx.close();
  await ch.unbindQueue('fz.q', 'fz.topic', 'order.*');
  await ch.deleteQueue('fz.q');
  await conn.close();
  proxy.close();

  const bytes = Buffer.concat(sent);
  const header = bytes.subarray(0, 8);
  const all: Buffer[] = [];
  for (let pos = 8; pos + 7 <= bytes.length; ) {
    const size = bytes.readUInt32BE(pos + 3);
    all.push(bytes.subarray(pos, pos + 8 + size));
    pos += 8 + size;
  }
  // start-ok, tune-ok, open: replayed as they are, so that most sockets get past the handshake.
  return { header, handshake: all.slice(0, 3), frames: all.slice(3) };
}

function frame(type: number, channel: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(8 + payload.length);
  out[0] = type;
  out.writeUInt16BE(channel, 1);
  out.writeUInt32BE(payload.length, 3);
  payload.copy(out, 7);
  out[7 + payload.length] = FRAME_END;
  return out;
}

/** One recorded frame, sometimes mutated. */
function mutated(rnd: SeededRandom, original: Buffer, frames: Buffer[]): Buffer[] {
  const payload = original.subarray(7, original.length - 1);
  const type = original[0]!;
  const channel = original.readUInt16BE(1);
  switch (rnd.int(0, 11)) {
    case 0: {
      const copy = Buffer.from(original);
      for (let flips = rnd.int(1, 4); flips > 0; flips--) copy[rnd.int(0, copy.length - 1)] = rnd.int(0, 255);
      return [copy];
    }
    case 1:
      return [frame(type, channel, payload.subarray(0, rnd.int(0, payload.length)))]; // truncated payload, sizes agree
    case 2:
      return [original.subarray(0, rnd.int(1, original.length - 1))]; // cut mid-frame
    case 3:
      return [frame(rnd.pick([1, 2, 3, 4, 8, 9, rnd.int(0, 255)]), channel, payload)]; // wrong frame type
    case 4:
      return [frame(type, rnd.pick([0, 2, 7, 65535, rnd.int(0, 65535)]), payload)]; // wrong or closed channel
    case 5:
      // content without its method: a header or body frame of the session on its own
      return [rnd.pick(frames.filter((f) => f[0] === 2 || f[0] === 3))];
    case 6:
      return [frame(1, channel, Buffer.from([0, 20, 0, 40, 0, 200, 0, 0, 0, 0, 0])), original]; // channel.close-ok first, then the method
    default:
      return [original];
  }
}

/**
 * One socket: the handshake, then the session in order (three times over,
 * without its connection.close), clean up to a random point and mutated at
 * random after it. Returns how many frames it sent and how many were mutated.
 */
async function replay(port: number, rnd: SeededRandom, session: Awaited<ReturnType<typeof recordSession>>): Promise<{ frames: number; mutated: number }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', () => {});
  const connected = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  if (!connected) return { frames: 0, mutated: 0 };
  const body = session.frames.slice(0, -1); // the last frame is connection.close
  const cleanUpTo = rnd.int(0, body.length * 2);
  const parts: Buffer[] = [session.header, ...session.handshake];
  let frames = session.handshake.length;
  let mutatedFrames = 0;
  for (let i = 0; i < body.length * PASSES; i++) {
    const original = body[i % body.length]!;
    if (i >= cleanUpTo && rnd.next() < 0.6) {
      const next = mutated(rnd, original, body);
      parts.push(...next);
      frames += next.length;
      mutatedFrames++;
    } else {
      parts.push(original);
      frames++;
    }
  }
  const stream = Buffer.concat(parts);
  for (let pos = 0; pos < stream.length && !socket.destroyed; ) {
    const n = rnd.int(1, 4000);
    socket.write(stream.subarray(pos, pos + n));
    pos += n;
  }
  await new Promise((r) => setTimeout(r, rnd.int(0, 20)));
  socket.destroy();
  return { frames, mutated: mutatedFrames };
}

describe('fuzzing with a recorded amqplib session', () => {
  it(
    `survives over 100,000 mutated frames of a recorded session on ${SOCKETS} sockets`,
    () =>
      withBroker(async ({ url, port, broker, server }) => {
        const session = await recordSession(port);
        expect(session.frames.length).toBeGreaterThan(30);
        const internalErrors = vi.spyOn(console, 'error');
        const rnd = new SeededRandom(20261206);
        let mutatedFrames = 0;
        for (let batch = 0; batch < SOCKETS / 50; batch++) {
          const counts = await Promise.all(Array.from({ length: 50 }, () => replay(port, new SeededRandom(rnd.int(0, 2 ** 31)), session)));
          for (const c of counts) mutatedFrames += c.mutated;
        }
        expect(mutatedFrames).toBeGreaterThanOrEqual(100_000);
        // Many sockets got as far as publishing: the fuzzing reached the channels, not only the handshake.
        expect(broker.totals().published).toBeGreaterThan(SOCKETS);
        await waitFor(() => server.connectionCount === 0, 15_000, 'fuzzing sockets to close');
        await waitFor(() => broker.listConnections().length === 0, 5000, 'engine connections to be released');
        expect(internalErrors).not.toHaveBeenCalled();
        internalErrors.mockRestore();

        await withChannel(url, async (ch) => {
          const q = await ch.assertQueue('after-recorded-fuzz', { exclusive: true });
          const received = new Promise<string>((resolve) => {
            void ch.consume(q.queue, (m) => m && resolve(m.content.toString()), { noAck: true });
          });
          ch.sendToQueue(q.queue, Buffer.from('still fine'));
          expect(await received).toBe('still fine');
        });
      }),
    120_000,
  );
});
