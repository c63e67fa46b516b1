import { createHash, randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importedRabbitHash } from '../../server/auth/passwords';
import { expectClose, waitFor, withChannel } from '../amqp/helpers';
import { RawClient } from '../amqp/raw-client';
import { startAccessBroker, type AccessBroker } from './support';

// Users, passwords and per-vhost permissions as an AMQP client meets them:
// amqplib against a broker that checks them, with RabbitMQ's reply codes and texts.

let b: AccessBroker;

beforeAll(async () => {
  b = await startAccessBroker();
  b.broker.createVhost('/other');
  await b.db.prisma.vhost.create({ data: { name: '/other' } });
  await b.users.create('app', { password: 'secret' }, []);
});

afterAll(async () => {
  await b?.close();
});

/** Gives 'app' these patterns on '/' (replacing what it had). */
function allow(configure: string, write: string, read: string) {
  return b.users.setPermission('app', '/', { configure, write, read });
}

describe('signing in over AMQP', () => {
  it('refuses a wrong password with 403 ACCESS_REFUSED (authentication_failure_close)', async () => {
    const error = await amqp.connect(b.url('app', 'wrong')).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/403 \(ACCESS-REFUSED\).*ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN/);
  });

  it("lets the fresh broker's guest in with every permission on /", async () => {
    await withChannel(b.url('guest', 'guest'), async (ch) => {
      await ch.assertQueue('guest-q');
      expect(await ch.deleteQueue('guest-q')).toEqual({ messageCount: 0 });
    });
  });

  it('refuses connection.open to a vhost without any permission with 530 NOT_ALLOWED', async () => {
    // guest has every permission on '/' and none on '/other'; amqplib does not show the close, the wire does.
    const client = await RawClient.connect(b.server.port, false);
    await client.login();
    client.method(0, 'writeConnectionOpen', { virtualHost: '/other' });
    const close = (await client.expectMethod('connection.close')).args as { replyCode: number; replyText: string };
    expect(close).toMatchObject({ replyCode: 530, replyText: "NOT_ALLOWED - access to vhost '/other' refused for user 'guest'" });
    client.socket.destroy();
  });

  it('accepts a user whose password hash was imported from RabbitMQ (rabbit_password_hashing_sha256)', async () => {
    // RabbitMQ's form, computed here on its own: base64(4-byte salt + SHA-256(salt + password)).
    const salt = randomBytes(4);
    const hash = Buffer.concat([
      salt,
      createHash('sha256')
        .update(Buffer.concat([salt, Buffer.from('imported-pw', 'utf8')]))
        .digest(),
    ]).toString('base64');
    await b.users.create('imported', { passwordHash: importedRabbitHash('rabbit_password_hashing_sha256', hash) }, []);
    await b.users.setPermission('imported', '/', { configure: '.*', write: '.*', read: '.*' });
    await withChannel(b.url('imported', 'imported-pw'), async (ch) => {
      expect((await ch.assertQueue('', { exclusive: true })).queue).toMatch(/^amq\.gen-/);
    });
    const refused = await amqp.connect(b.url('imported', 'not-it')).then(
      () => null,
      (e: Error) => e,
    );
    expect(refused?.message).toMatch(/ACCESS_REFUSED/);
  });
});

describe('permissions on AMQP operations', () => {
  it('refuses queue.declare without configure permission (403, channel closed)', async () => {
    await allow('^mine\\.', '.*', '.*');
    await withChannel(b.url('app', 'secret'), async (ch, conn) => {
      await ch.assertQueue('mine.ok');
      const error = await expectClose(ch, () => ch.assertQueue('theirs'));
      expect(error.code).toBe(403);
      expect(error.message).toContain("ACCESS_REFUSED - configure access to queue 'theirs' in vhost '/' refused for user 'app'");
      // Only the channel closed: the connection carries on.
      const again = await conn.createChannel();
      await again.deleteQueue('mine.ok');
    });
  });

  it('checks a server-named queue under its amq.gen- name', async () => {
    await allow('^amq\\.gen-', '', '');
    await withChannel(b.url('app', 'secret'), async (ch) => {
      expect((await ch.assertQueue('', { exclusive: true })).queue).toMatch(/^amq\.gen-/);
    });
  });

  it('refuses basic.publish without write permission on the exchange, closing the channel with 403', async () => {
    await b.broker.declareQueue('/', 'inbox');
    await allow('', '^amq\\.default$', '');
    await withChannel(b.url('app', 'secret'), async (ch) => {
      ch.sendToQueue('inbox', Buffer.from('allowed')); // the default exchange is checked as amq.default
      b.broker.declareExchange('/', 'events', 'fanout');
      const error = await expectClose(ch, async () => {
        ch.publish('events', '', Buffer.from('refused'));
        await ch.checkQueue('inbox'); // a round trip, so the close arrives
      });
      expect(error.code).toBe(403);
      expect(error.message).toContain("ACCESS_REFUSED - write access to exchange 'events' in vhost '/' refused for user 'app'");
    });
    await waitFor(() => b.broker.getQueue('/', 'inbox').ready === 1, 2000, 'the allowed message');
  });

  it('refuses basic.consume and basic.get without read permission', async () => {
    await allow('', '', '^public$');
    b.broker.declareQueue('/', 'public');
    b.broker.declareQueue('/', 'private');
    await withChannel(b.url('app', 'secret'), async (_ch, conn) => {
      const consuming = await conn.createChannel();
      consuming.on('error', () => {});
      const consumeError = await expectClose(consuming, () => consuming.consume('private', () => {}));
      expect(consumeError.code).toBe(403);
      expect(consumeError.message).toContain("ACCESS_REFUSED - read access to queue 'private' in vhost '/' refused for user 'app'");
      const getting = await conn.createChannel();
      getting.on('error', () => {});
      expect(await getting.get('public')).toBe(false);
      const getError = await expectClose(getting, () => getting.get('private'));
      expect(getError.code).toBe(403);
      expect(getError.message).toContain("read access to queue 'private'");
    });
  });

  it('needs write on the queue and read on the exchange to bind them', async () => {
    b.broker.declareExchange('/', 'orders', 'direct');
    b.broker.declareQueue('/', 'billing');
    await allow('', '^billing$', '');
    await withChannel(b.url('app', 'secret'), async (ch) => {
      const error = await expectClose(ch, () => ch.bindQueue('billing', 'orders', 'new'));
      expect(error.message).toContain("ACCESS_REFUSED - read access to exchange 'orders' in vhost '/' refused for user 'app'");
    });
    await allow('', '^billing$', '^orders$');
    await withChannel(b.url('app', 'secret'), async (ch) => {
      await ch.bindQueue('billing', 'orders', 'new');
    });
  });

  it('applies a revoked permission to the next operation of a connection already open', async () => {
    await allow('.*', '.*', '.*');
    b.broker.declareQueue('/', 'revoked-q');
    await withChannel(b.url('app', 'secret'), async (ch) => {
      await ch.checkQueue('revoked-q');
      expect(await ch.get('revoked-q')).toBe(false);
      await b.users.clearPermission('app', '/');
      const error = await expectClose(ch, () => ch.get('revoked-q'));
      expect(error.code).toBe(403);
    });
  });

  it("closes a deleted user's open connection with 320 CONNECTION_FORCED", async () => {
    await b.users.create('leaving', { password: 'pw' }, []);
    await b.users.setPermission('leaving', '/', { configure: '.*', write: '.*', read: '.*' });
    const conn = await amqp.connect(b.url('leaving', 'pw'));
    const closed = new Promise<Error & { code?: number }>((resolve) => conn.on('close', resolve));
    conn.on('error', () => {});
    await b.users.delete('leaving');
    const error = await closed;
    expect(error.code).toBe(320);
    expect(error.message).toContain("CONNECTION_FORCED - user 'leaving' is deleted");
    // And the password stops working at once.
    const again = await amqp.connect(b.url('leaving', 'pw')).then(
      () => null,
      (e: Error) => e,
    );
    expect(again?.message).toMatch(/ACCESS_REFUSED/);
  });

  it('enforces topic permissions on topic exchanges: write for publishing, read for binding', async () => {
    await allow('.*', '.*', '.*');
    b.broker.declareExchange('/', 'orders-topic', 'topic');
    b.broker.declareExchange('/', 'orders-direct', 'direct');
    await b.broker.declareQueue('/', 'orders-mine');
    b.broker.bindQueue('/', 'orders-mine', 'orders-topic', '#');
    // As RabbitMQ: {username} stands for the user, and an empty pattern allows only the empty key.
    await b.users.topicPermissions.set({ user: 'app', vhost: '/', exchange: 'orders-topic', write: '^orders\\.{username}\\.', read: '^x\\.' });
    await b.users.topicPermissions.set({ user: 'app', vhost: '/', exchange: 'orders-direct', write: '', read: '' });
    try {
      await withChannel(b.url('app', 'secret'), async (ch) => {
        ch.publish('orders-topic', 'orders.app.1', Buffer.from('allowed'));
        ch.publish('orders-direct', 'anything', Buffer.from('not a topic exchange: not restricted'));
        await ch.bindQueue('orders-mine', 'orders-topic', 'x.y');
        const error = await expectClose(ch, async () => {
          ch.publish('orders-topic', 'billing.1', Buffer.from('refused'));
          await ch.checkQueue('orders-mine');
        });
        expect(error.code).toBe(403);
        expect(error.message).toContain("ACCESS_REFUSED - access to topic 'billing.1' in exchange 'orders-topic' in vhost '/' refused for user 'app'");
      });
      await withChannel(b.url('app', 'secret'), async (ch) => {
        const error = await expectClose(ch, () => ch.bindQueue('orders-mine', 'orders-topic', 'y.x'));
        expect(error.message).toContain("ACCESS_REFUSED - access to topic 'y.x' in exchange 'orders-topic' in vhost '/' refused for user 'app'");
      });
      await waitFor(() => b.broker.getQueue('/', 'orders-mine').ready === 1, 2000, 'the allowed message');
      // Cleared, the topic permission no longer restricts.
      await b.users.topicPermissions.clear('app', '/', 'orders-topic');
      await withChannel(b.url('app', 'secret'), async (ch) => {
        ch.publish('orders-topic', 'billing.2', Buffer.from('allowed now'));
        await waitFor(() => b.broker.getQueue('/', 'orders-mine').ready === 2, 2000, 'the second message');
      });
    } finally {
      await b.users.topicPermissions.clear('app', '/', 'orders-direct');
    }
  });

  it('refuses a bad pattern, naming it', async () => {
    await expect(allow('(', '.*', '.*')).rejects.toThrow(
      "PRECONDITION_FAILED - configure permission pattern '(' at position 1: the group opened here is not closed",
    );
  });
});
