import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../server/broker/broker';
import { startAmqpServer } from '../../server/amqp/server';
import { waitFor, withBroker, withChannel } from './helpers';
import { RawClient } from './raw-client';

describe('negotiation', () => {
  it('answers a wrong protocol header with the right one and closes', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port, false);
      c.write(Buffer.from('AMQP\x00\x00\x08\x00'));
      await c.waitClosed();
      expect(c.received).toEqual(Buffer.from('AMQP\x00\x00\x09\x01'));
    }));

  it('announces Warren and the RabbitMQ capabilities clients look for', () =>
    withBroker(async ({ url }) => {
      const conn = await amqp.connect(url);
      const props = (conn.connection as unknown as { serverProperties: Record<string, unknown> }).serverProperties;
      expect(props.product).toBe('Warren');
      expect(props.capabilities).toEqual({
        publisher_confirms: true,
        exchange_exchange_bindings: true,
        'basic.nack': true,
        consumer_cancel_notify: true,
        'connection.blocked': true,
        consumer_priorities: true,
        authentication_failure_close: true,
        per_consumer_qos: true,
        direct_reply_to: true,
      });
      await conn.close();
    }));

  it('negotiates frame_max and splits large messages into frames', () =>
    withBroker(async ({ port }) => {
      const url = `amqp://guest:guest@127.0.0.1:${port}?frameMax=4096`;
      await withChannel(url, async (ch) => {
        await ch.assertQueue('big');
        const body = Buffer.alloc(300_000, 7);
        body.write('start');
        ch.sendToQueue('big', body);
        ch.sendToQueue('big', Buffer.alloc(0));
        const first = await waitFor(() => ch.get('big', { noAck: true }));
        expect(first && first.content.equals(body)).toBe(true);
        const empty = await waitFor(() => ch.get('big', { noAck: true }));
        expect(empty && empty.content.length).toBe(0);
      });
    }));

  it('reports the bytes each connection received and sent, for the console', () =>
    withBroker(({ url, broker }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('traffic');
        const before = broker.listConnections()[0]!;
        ch.sendToQueue('traffic', Buffer.alloc(10_000, 7));
        await ch.get('traffic', { noAck: true });
        const after = broker.listConnections()[0]!;
        expect(after.bytesReceived - before.bytesReceived).toBeGreaterThanOrEqual(10_000);
        expect(after.bytesSent - before.bytesSent).toBeGreaterThanOrEqual(10_000);
      }),
    ));

  it('accepts connection.update-secret', () =>
    withBroker(async ({ url }) => {
      const conn = await amqp.connect(url);
      await conn.updateSecret(Buffer.from('new-token'), 'rotation');
      const ch = await conn.createChannel();
      await ch.assertQueue('still-works');
      await conn.close();
    }));

  it('listens on IPv6 loopback too when the host is localhost', async () => {
    const broker = new Broker();
    const server = await startAmqpServer({ broker, host: 'localhost', port: 0 });
    try {
      for (const host of ['127.0.0.1', '[::1]']) {
        const conn = await amqp.connect(`amqp://guest:guest@${host}:${server.port}`);
        await conn.close();
      }
    } finally {
      await server.close();
      broker.close();
    }
  });

  it('refuses guest from a non-loopback address by default', async () => {
    const { guestFromLoopback } = await import('../../server/amqp/handshake');
    expect(guestFromLoopback('guest', 'guest', '127.0.0.1')).toBe(true);
    expect(guestFromLoopback('guest', 'guest', '::ffff:127.0.0.1')).toBe(true);
    expect(guestFromLoopback('guest', 'guest', '::1')).toBe(true);
    expect(guestFromLoopback('guest', 'guest', '10.0.0.7')).toBe(false);
    expect(guestFromLoopback('guest', 'nope', '127.0.0.1')).toBe(false);
  });
});

describe('heartbeats', () => {
  it('sends heartbeats and closes a peer silent for two intervals', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port, false);
      let heartbeats = 0;
      c.socket.on('data', (chunk: Buffer) => {
        if (chunk.includes(Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce]))) heartbeats++;
      });
      await c.login({ heartbeat: 1 });
      c.method(0, 'writeConnectionOpen', { virtualHost: '/' });
      await c.expectMethod('connection.open-ok');
      const openedAt = Date.now();
      await c.waitClosed(5000);
      const silentFor = Date.now() - openedAt;
      expect(silentFor).toBeGreaterThanOrEqual(1900);
      expect(silentFor).toBeLessThan(5000); // 2 intervals plus a tick, with room for a loaded machine
      expect(heartbeats).toBeGreaterThanOrEqual(2);
    }));

  it('keeps a peer that sends heartbeats', () =>
    withBroker(async ({ port }) => {
      const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}?heartbeat=1`);
      await new Promise((r) => setTimeout(r, 3000));
      const ch = await conn.createChannel();
      await ch.assertQueue('alive');
      await conn.close();
    }));
});

describe('connection.blocked', () => {
  it('blocks publishing connections during a memory alarm and resumes them after', () =>
    withBroker(async ({ url, server }) => {
      const events: string[] = [];
      await withChannel(url, async (ch, conn) => {
        conn.on('blocked', (reason: string) => events.push(`blocked: ${reason}`));
        conn.on('unblocked', () => events.push('unblocked'));
        await ch.assertQueue('alarm');
        ch.sendToQueue('alarm', Buffer.from('before'));
        await waitFor(async () => (await ch.checkQueue('alarm')).messageCount === 1);
        server.setPublishersBlocked('low on memory');
        await waitFor(() => events.length === 1);
        expect(events).toEqual(['blocked: low on memory']);
        ch.sendToQueue('alarm', Buffer.from('during'));
        await new Promise((r) => setTimeout(r, 200));
        server.setPublishersBlocked(null);
        await waitFor(() => events.length === 2);
        expect(events[1]).toBe('unblocked');
        // Nothing was dropped: the message sent while blocked arrives.
        await waitFor(async () => (await ch.checkQueue('alarm')).messageCount === 2);
      });
    }));

  it('does not read from a blocked publisher until unblocked', () =>
    withBroker(async ({ url, server, broker }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('paused');
        ch.sendToQueue('paused', Buffer.from('1'));
        await waitFor(() => broker.getQueue('/', 'paused').ready === 1);
        server.setPublishersBlocked('test');
        await new Promise((r) => setTimeout(r, 50));
        for (let i = 0; i < 100; i++) ch.sendToQueue('paused', Buffer.from('x'));
        await new Promise((r) => setTimeout(r, 300));
        expect(broker.getQueue('/', 'paused').ready).toBe(1);
        server.setPublishersBlocked(null);
        await waitFor(() => broker.getQueue('/', 'paused').ready === 101);
      });
    }));
});

describe('refusing clients', () => {
  it('closes every connection with 320 and the reason, answers new ones with it, and admits them again after', () =>
    withBroker(async ({ url, server }) => {
      const open = await amqp.connect(url);
      const closed = new Promise<Error | undefined>((resolve) => open.once('close', resolve));
      open.on('error', () => {});
      server.refuseClients('node lost its database, reconnect to another node');
      const error = await closed;
      expect(error).toMatchObject({ code: 320 });
      expect(error?.message).toContain('CONNECTION_FORCED - node lost its database, reconnect to another node');
      await expect(amqp.connect(url)).rejects.toThrow(
        'Handshake terminated by server: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - node lost its database, reconnect to another node"',
      );
      server.refuseClients(null);
      await withChannel(url, async (ch) => {
        await ch.assertQueue('admitted');
      });
    }));
});

describe('back-pressure', () => {
  it('stops deliveries to a consumer that does not read, without losing messages', () =>
    withBroker(async ({ url, port, broker }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeQueueDeclare', { queue: 'flood', arguments: {} });
      await c.expectMethod('queue.declare-ok');
      c.method(1, 'writeBasicConsume', { queue: 'flood', consumerTag: 'slow', noAck: true, arguments: {} });
      await c.expectMethod('basic.consume-ok');
      c.socket.pause(); // stop reading: the server's socket buffer fills
      const body = Buffer.alloc(64 * 1024);
      await withChannel(url, async (ch) => {
        for (let i = 0; i < 800; i++) ch.sendToQueue('flood', body); // 50 MiB
        await waitFor(async () => (await ch.checkQueue('flood')).messageCount > 0, 10_000, 'messages held back in the queue');
      });
      // Most messages wait in the queue instead of in socket buffers.
      expect(broker.getQueue('/', 'flood').ready).toBeGreaterThan(400);
      c.socket.resume();
      await waitFor(() => broker.getQueue('/', 'flood').ready === 0, 15_000, 'queue drained');
      c.destroy();
    }));
});

describe('memory high-water mark', () => {
  it('blocks publishers once queued messages pass the mark, lets consumers drain, clears, and blocks a new publisher before its first message', async () => {
    const { getHeapStatistics } = await import('node:v8');
    const mark = getHeapStatistics().used_heap_size + 48 * 1024 * 1024;
    await withBroker(
      async ({ url, broker }) => {
        const first = await amqp.connect(url);
        first.on('error', () => {});
        const events: string[] = [];
        first.on('blocked', (reason: string) => events.push(`blocked: ${reason}`));
        first.on('unblocked', () => events.push('unblocked'));
        const pub = await first.createChannel();
        await pub.assertQueue('mem');
        const body = Buffer.alloc(64 * 1024, 1);
        for (let i = 0; i < 3000 && events.length === 0; i++) {
          pub.sendToQueue('mem', body);
          if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
        }
        await waitFor(() => events.length > 0, 5000, 'connection.blocked');
        expect(events[0]).toMatch(/^blocked: low on memory: \d+ MiB in use \(\d+ MiB of queued messages\), high-water mark \d+ MiB$/);
        const queuedWhenBlocked = broker.getQueue('/', 'mem').ready;
        expect(queuedWhenBlocked).toBeGreaterThan(100);

        // A publisher that connects during the alarm: blocked, its message neither taken nor confirmed.
        const late = await amqp.connect(url);
        late.on('error', () => {});
        let lateBlocked = false;
        late.on('blocked', () => (lateBlocked = true));
        const lateCh = await late.createConfirmChannel();
        let confirmed = false;
        lateCh.sendToQueue('mem', Buffer.from('late'), {}, () => (confirmed = true));
        await waitFor(() => lateBlocked, 3000, 'the late publisher to be blocked');
        await new Promise((r) => setTimeout(r, 300));
        expect(confirmed).toBe(false);
        expect(broker.getQueue('/', 'mem').ready).toBe(queuedWhenBlocked);

        // Consumers keep draining; the alarm clears on the measure that raised it.
        await withChannel(url, async (ch) => {
          let received = 0;
          let lateArrived = false;
          await ch.consume(
            'mem',
            (m) => {
              received++;
              if (m?.content.toString() === 'late') lateArrived = true;
            },
            { noAck: true },
          );
          await waitFor(() => events.includes('unblocked'), 15_000, 'the alarm to clear');
          await waitFor(() => confirmed && lateArrived, 5000, "the late publisher's message, confirmed and delivered");
          // What the first publisher had sent while blocked was only held, not dropped.
          await waitFor(() => broker.getQueue('/', 'mem').ready === 0, 5000, 'everything delivered');
          expect(received).toBeGreaterThan(queuedWhenBlocked);
        });
        await late.close();
        await first.close();
      },
      { memoryHighWatermarkBytes: mark },
    );
  }, 60_000);
});

describe('closing during the handshake', () => {
  it('answers connection.close before open with close-ok', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port, false);
      await c.login();
      c.method(0, 'writeConnectionClose', { replyCode: 200, replyText: 'changed my mind', classId: 0, methodId: 0 });
      await c.expectMethod('connection.close-ok');
      await c.waitClosed();
    }));
});
