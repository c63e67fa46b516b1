import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { expectClose, waitFor, withBroker, withChannel } from './helpers';
import { RawClient } from './raw-client';

// Each reply code, provoked by a client and observed the way the client sees it.

describe('channel errors close the channel, not the connection', () => {
  it('404 NOT_FOUND for a missing queue, with the failing class and method', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        const err = await expectClose(ch, () => ch.checkQueue('missing'));
        expect(err.code).toBe(404);
        expect(err.message).toContain(`NOT_FOUND - no queue 'missing' in vhost '/'`);
        expect(err).toMatchObject({ classId: 50, methodId: 10 });
        // The connection survives: a new channel works.
        const again = await conn.createChannel();
        await again.assertQueue('present');
      }),
    ));

  it('a reply text longer than a short string is cut, and only the channel closes', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        const name = 'q'.repeat(250);
        const err = await expectClose(ch, () => ch.checkQueue(name));
        expect(err.code).toBe(404);
        expect(err.message).toContain(`NOT_FOUND - no queue '${'q'.repeat(200)}`);
        expect(err.message).toContain('...');
        const again = await conn.createChannel();
        await again.assertQueue('still-open');
      }),
    ));

  it('404 NOT_FOUND when publishing to a missing exchange', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        const err = await expectClose(ch, () => ch.publish('no-such-exchange', 'k', Buffer.from('x')));
        expect(err.code).toBe(404);
        expect(err.message).toContain(`NOT_FOUND - no exchange 'no-such-exchange' in vhost '/'`);
        expect(err).toMatchObject({ classId: 60, methodId: 40 });
      }),
    ));

  it('403 ACCESS_REFUSED for a reserved amq. name', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        const err = await expectClose(ch, () => ch.assertQueue('amq.mine'));
        expect(err.code).toBe(403);
        expect(err.message).toContain('ACCESS_REFUSED');
      }),
    ));

  it('405 RESOURCE_LOCKED for an exclusive queue of another connection', () =>
    withBroker(({ url }) =>
      withChannel(url, async (owner) => {
        await owner.assertQueue('mine', { exclusive: true });
        await withChannel(url, async (other) => {
          const err = await expectClose(other, () => other.assertQueue('mine', { exclusive: true }));
          expect(err.code).toBe(405);
          expect(err.message).toContain(`RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'mine' in vhost '/'`);
        });
      }),
    ));

  it('406 PRECONDITION_FAILED for an inequivalent redeclare', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        await ch.assertQueue('x', { durable: true });
        const other = await conn.createChannel();
        other.on('error', () => {});
        const err = await expectClose(other, () => other.assertQueue('x', { durable: false }));
        expect(err.code).toBe(406);
        expect(err.message).toContain(`PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'x' in vhost '/': received 'false' but current is 'true'`);
      }),
    ));

  it('406 PRECONDITION_FAILED for an unknown delivery tag', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        const err = await expectClose(ch, async () => {
          ch.ack({ fields: { deliveryTag: 99 } } as amqp.Message);
          await ch.assertQueue('after'); // the close arrives instead of declare-ok
        });
        expect(err.code).toBe(406);
        expect(err.message).toContain('PRECONDITION_FAILED - unknown delivery tag 99');
      }),
    ));
});

describe('connection errors close the connection', () => {
  it('403 ACCESS_REFUSED for a wrong password', () =>
    withBroker(async ({ port }) => {
      await expect(amqp.connect(`amqp://guest:wrong@127.0.0.1:${port}`)).rejects.toThrow(
        /ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN/,
      );
    }));

  it('403 ACCESS_REFUSED for users the authenticate callback refuses, AMQPLAIN too', () =>
    withBroker(
      async ({ port }) => {
        const refused = amqp.connect({ hostname: '127.0.0.1', port, username: 'guest', password: 'guest' });
        await expect(refused).rejects.toThrow(/ACCESS_REFUSED/);
        const wrongAmqplain = amqp.connect(`amqp://127.0.0.1:${port}`, { credentials: amqp.credentials.amqplain('ann', 'nope') });
        await expect(wrongAmqplain).rejects.toThrow(/ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN/);
        for (const credentials of [amqp.credentials.plain('ann', 'secret'), amqp.credentials.amqplain('ann', 'secret')]) {
          const conn = await amqp.connect(`amqp://127.0.0.1:${port}`, { credentials });
          await conn.close();
        }
      },
      { authenticate: (user, password) => user === 'ann' && password === 'secret' },
    ));

  it('530 NOT_ALLOWED for an unknown vhost', () =>
    withBroker(async ({ port }) => {
      await expect(amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/nope`)).rejects.toThrow(/ConnectionClose/);
      const c = await RawClient.connect(port, false);
      await c.login();
      c.method(0, 'writeConnectionOpen', { virtualHost: 'nope' });
      expect((await c.expectMethod('connection.close')).args).toMatchObject({
        replyCode: 530,
        replyText: 'NOT_ALLOWED - vhost nope not found',
        classId: 10,
        methodId: 40,
      });
      c.destroy();
    }));

  it('320 CONNECTION_FORCED when the console closes a connection', () =>
    withBroker(async ({ url, broker }) => {
      const conn = await amqp.connect(url);
      // amqplib reports 320 through 'close' (it is not a "fatal" code for it).
      const closed = new Promise<Error>((resolve) => conn.on('close', resolve));
      const summary = broker.listConnections()[0]!;
      expect(summary.user).toBe('guest');
      expect(summary.peerAddress).toBe('127.0.0.1');
      broker.closeConnection(summary.id, 'closed from the console');
      const err = (await closed) as Error & { code?: number };
      expect(err.code).toBe(320);
      expect(err.message).toContain('CONNECTION_FORCED - closed from the console');
      await waitFor(() => broker.listConnections().length === 0);
    }));

  it('320 CONNECTION_FORCED for every client when the server shuts down', async () => {
    let code: number | undefined;
    await withBroker(async ({ url }) => {
      const conn = await amqp.connect(url);
      conn.on('close', (err?: { code?: number }) => (code = err?.code));
    });
    await waitFor(() => code === 320);
  });

  it('501 FRAME_ERROR for a bad frame-end octet and for an oversized frame', () =>
    withBroker(async ({ port }) => {
      const bad = await RawClient.connect(port);
      bad.write(Buffer.from([8, 0, 0, 0, 0, 0, 0, 0x00]));
      expect((await bad.expectMethod('connection.close')).args).toMatchObject({ replyCode: 501 });
      bad.destroy();
      const big = await RawClient.connect(port);
      const header = Buffer.from([1, 0, 1, 0, 0x10, 0, 0]); // 1 MiB payload > frame_max 131072
      big.write(header);
      expect((await big.expectMethod('connection.close')).args).toMatchObject({ replyCode: 501 });
      big.destroy();
    }));

  it('502 SYNTAX_ERROR for a truncated method', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      // channel.open on channel 1, then queue.declare whose arguments stop short
      await c.openChannel(1);
      c.write(Buffer.from([1, 0, 1, 0, 0, 0, 6, 0, 50, 0, 10, 0, 0, 0xce]));
      expect((await c.expectMethod('connection.close')).args).toMatchObject({ replyCode: 502 });
      c.destroy();
    }));

  it('503 COMMAND_INVALID for a method the server does not take', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeBasicDeliver', { consumerTag: 't', deliveryTag: 1, exchange: '', routingKey: 'q' });
      expect((await c.expectMethod('connection.close')).args).toMatchObject({ replyCode: 503 });
      c.destroy();
    }));

  it('504 CHANNEL_ERROR for a method on a channel that is not open', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      c.method(3, 'writeBasicQos', { prefetchCount: 1 });
      const close = await c.expectMethod('connection.close');
      expect(close.args).toMatchObject({ replyCode: 504, replyText: `CHANNEL_ERROR - expected 'channel.open' on channel 3` });
      c.destroy();
    }));

  it('505 UNEXPECTED_FRAME for content without a publish', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.output.content(1, 60, {}, Buffer.from('stray'), 131072);
      c.flush();
      expect((await c.expectMethod('connection.close')).args).toMatchObject({ replyCode: 505 });
      c.destroy();
    }));

  it('530 NOT_ALLOWED for a channel above channel_max', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      c.method(2048, 'writeChannelOpen', {});
      expect((await c.expectMethod('connection.close')).args).toMatchObject({ replyCode: 530 });
      c.destroy();
    }));

  it('540 NOT_IMPLEMENTED for immediate publishing and prefetch size', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeBasicQos', { prefetchSize: 1024, prefetchCount: 1, global: false });
      const close = await c.expectMethod('connection.close');
      expect(close.args).toMatchObject({ replyCode: 540, classId: 60, methodId: 10 });
      c.destroy();
    }));

  it('a connection error leaves other connections working', () =>
    withBroker(async ({ url, port }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('steady');
        const bad = await RawClient.connect(port);
        bad.write(Buffer.from([77, 1, 2, 3, 4, 5, 6, 7, 8]));
        await bad.waitClosed();
        ch.sendToQueue('steady', Buffer.from('still here'));
        const msg = await waitFor(() => ch.get('steady', { noAck: true }));
        expect(msg && msg.content.toString()).toBe('still here');
      });
    }));
});
