import type { Channel, GetMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { waitFor, withBroker, withChannel } from './helpers';
import { RawClient } from './raw-client';

// The basic, tx and exchange-binding methods as a client sees them.

async function getOne(ch: Channel, queue: string): Promise<GetMessage> {
  const m = await ch.get(queue);
  if (!m) throw new Error(`queue ${queue} is empty`);
  return m;
}

describe('basic.get, nack, reject and recover', () => {
  it('answers get-ok with the message count, then get-empty', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('g');
        ch.sendToQueue('g', Buffer.from('one'), { contentType: 'text/plain', headers: { n: 1, s: 'x', nested: { ok: true } }, priority: 3, messageId: 'm1' });
        ch.sendToQueue('g', Buffer.from('two'));
        const first = await waitFor(() => ch.get('g'));
        expect(first && first.content.toString()).toBe('one');
        expect(first && first.fields.messageCount).toBe(1);
        expect(first && first.properties).toMatchObject({
          contentType: 'text/plain',
          headers: { n: 1, s: 'x', nested: { ok: true } },
          priority: 3,
          messageId: 'm1',
        });
        const second = await ch.get('g');
        expect(second && second.content.toString()).toBe('two');
        expect(await ch.get('g')).toBe(false);
        ch.ack(second as never, true);
        await ch.checkQueue('g');
      }),
    ));

  it('requeues on nack and reject with requeue, and drops without', () =>
    withBroker(({ url, broker }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('n');
        for (const body of ['a', 'b', 'c']) ch.sendToQueue('n', Buffer.from(body));
        await waitFor(() => broker.getQueue('/', 'n').ready === 3);
        const a = await getOne(ch, 'n');
        const b = await getOne(ch, 'n');
        const c = await getOne(ch, 'n');
        ch.nack(a, false, true);
        ch.reject(b, true);
        ch.reject(c, false);
        await waitFor(() => broker.getQueue('/', 'n').ready === 2);
        const again = await getOne(ch, 'n');
        expect(again.fields.redelivered).toBe(true);
        expect(['a', 'b']).toContain(again.content.toString());
      }),
    ));

  it('nacks several deliveries with multiple=true', () =>
    withBroker(({ url, broker }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('nm');
        for (let i = 0; i < 5; i++) ch.sendToQueue('nm', Buffer.from(String(i)));
        await waitFor(() => broker.getQueue('/', 'nm').ready === 5);
        let last: GetMessage | undefined;
        for (let i = 0; i < 5; i++) last = await getOne(ch, 'nm');
        ch.nack(last!, true, true);
        await waitFor(() => broker.getQueue('/', 'nm').ready === 5);
        expect(broker.getQueue('/', 'nm').unacked).toBe(0);
      }),
    ));

  it('redelivers unacked messages on basic.recover', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('r');
        ch.sendToQueue('r', Buffer.from('again'));
        const seen: boolean[] = [];
        await ch.consume('r', (m) => m && seen.push(m.fields.redelivered));
        await waitFor(() => seen.length === 1);
        await ch.recover();
        await waitFor(() => seen.length === 2);
        expect(seen).toEqual([false, true]);
      }),
    ));
});

describe('consumers', () => {
  it('notifies a consumer when its queue is deleted (consumer_cancel_notify)', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        await ch.assertQueue('doomed');
        const got: unknown[] = [];
        await ch.consume('doomed', (m) => got.push(m));
        const admin = await conn.createChannel();
        await admin.deleteQueue('doomed');
        await waitFor(() => got.length === 1);
        expect(got).toEqual([null]); // amqplib's signal for a server cancel
      }),
    ));

  it('cancels a consumer and stops its deliveries', () =>
    withBroker(({ url, broker }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('c');
        const seen: string[] = [];
        const { consumerTag } = await ch.consume('c', (m) => m && seen.push(m.content.toString()), { noAck: true });
        expect(consumerTag).toMatch(/^amq\.ctag-/);
        ch.sendToQueue('c', Buffer.from('1'));
        await waitFor(() => seen.length === 1);
        await ch.cancel(consumerTag);
        ch.sendToQueue('c', Buffer.from('2'));
        await waitFor(() => broker.getQueue('/', 'c').ready === 1);
        expect(seen).toEqual(['1']);
      }),
    ));

  it('delivers messages already queued after consume-ok', () =>
    withBroker(async ({ url, port, broker }) => {
      await withChannel(url, async (ch) => {
        await ch.assertQueue('early');
        for (let i = 0; i < 3; i++) ch.sendToQueue('early', Buffer.from(String(i)));
        await waitFor(() => broker.getQueue('/', 'early').ready === 3);
      });
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeBasicConsume', { queue: 'early', consumerTag: 'ct', noAck: true, arguments: {} });
      expect((await c.nextMethod()).name).toBe('basic.consume-ok');
      expect((await c.nextMethod()).name).toBe('basic.deliver');
      c.destroy();
    }));
});

describe('nowait', () => {
  it('sends no reply to nowait methods, yet performs them', () =>
    withBroker(async ({ port, broker }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeExchangeDeclare', { exchange: 'nw', type: 'fanout', nowait: true, arguments: {} });
      c.method(1, 'writeQueueDeclare', { queue: 'nwq', nowait: true, arguments: {} });
      c.method(1, 'writeQueueBind', { queue: 'nwq', exchange: 'nw', nowait: true, arguments: {} });
      c.method(1, 'writeConfirmSelect', { nowait: true });
      c.method(1, 'writeBasicQos', { prefetchCount: 5 });
      // The first reply is qos-ok: nothing was answered before it.
      expect((await c.nextMethod()).name).toBe('basic.qos-ok');
      expect(broker.listBindings('/').some((b) => b.source === 'nw' && b.destination === 'nwq')).toBe(true);
      c.destroy();
    }));
});

describe('transactions', () => {
  it('publishes and acks only at commit, and forgets them at rollback', () =>
    withBroker(async ({ port, broker }) => {
      // amqplib has no tx API: a raw client drives it.
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeQueueDeclare', { queue: 't', arguments: {} });
      await c.expectMethod('queue.declare-ok');
      c.method(1, 'writeTxSelect', {});
      await c.expectMethod('tx.select-ok');
      c.publish(1, '', 't', Buffer.from('kept'));
      c.flush();
      c.method(1, 'writeTxCommit', {});
      await c.expectMethod('tx.commit-ok');
      expect(broker.getQueue('/', 't').ready).toBe(1);
      c.publish(1, '', 't', Buffer.from('dropped'));
      c.flush();
      c.method(1, 'writeTxRollback', {});
      await c.expectMethod('tx.rollback-ok');
      expect(broker.getQueue('/', 't').ready).toBe(1);
      // An ack inside a transaction waits for the commit too.
      c.method(1, 'writeBasicGet', { queue: 't', noAck: false });
      const ok = await c.expectMethod('basic.get-ok');
      c.method(1, 'writeBasicAck', { deliveryTag: (ok.args as { deliveryTag: number }).deliveryTag });
      c.method(1, 'writeBasicQos', { prefetchCount: 0 });
      await c.expectMethod('basic.qos-ok');
      expect(broker.getQueue('/', 't').unacked).toBe(1);
      c.method(1, 'writeTxCommit', {});
      await c.expectMethod('tx.commit-ok');
      expect(broker.getQueue('/', 't').unacked).toBe(0);
      // confirm.select on a transactional channel is refused.
      c.method(1, 'writeConfirmSelect', {});
      expect((await c.expectMethod('channel.close')).args).toMatchObject({
        replyCode: 406,
        replyText: 'PRECONDITION_FAILED - cannot switch from tx to confirm mode',
      });
      c.destroy();
    }));

  it('fails the commit with 406 when a queue refused one of its publishes, as RabbitMQ does', () =>
    withBroker(async ({ port, broker }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeQueueDeclare', { queue: 'full', arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
      await c.expectMethod('queue.declare-ok');
      c.method(1, 'writeTxSelect', {});
      await c.expectMethod('tx.select-ok');
      c.publish(1, '', 'full', Buffer.from('a'));
      c.publish(1, '', 'full', Buffer.from('b'));
      c.flush();
      c.method(1, 'writeTxCommit', {});
      expect((await c.expectMethod('channel.close')).args).toMatchObject({
        replyCode: 406,
        replyText: 'PRECONDITION_FAILED - partial tx completion',
        classId: 90,
        methodId: 20,
      });
      expect(broker.getQueue('/', 'full').ready).toBe(1);
      c.destroy();
    }));

  it('refuses tx.commit on a channel that is not transactional', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeTxCommit', {});
      expect((await c.expectMethod('channel.close')).args).toMatchObject({ replyCode: 406, classId: 90, methodId: 20 });
      c.destroy();
    }));
});

describe('exchange-to-exchange bindings', () => {
  it('routes through an exchange bound to another exchange', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertExchange('front', 'topic', { durable: false });
        await ch.assertExchange('back', 'fanout', { durable: false });
        await ch.bindExchange('back', 'front', 'orders.#');
        const q = await ch.assertQueue('', { exclusive: true });
        await ch.bindQueue(q.queue, 'back', '');
        ch.publish('front', 'orders.created', Buffer.from('yes'));
        ch.publish('front', 'users.created', Buffer.from('no'));
        const msg = await waitFor(() => ch.get(q.queue));
        expect(msg && msg.content.toString()).toBe('yes');
        await ch.unbindExchange('back', 'front', 'orders.#');
        await ch.deleteExchange('back');
      }),
    ));
});

describe('channel.flow', () => {
  it('stops deliveries while the client asks for flow off, and resumes them', () =>
    withBroker(async ({ port, broker }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeQueueDeclare', { queue: 'flow', arguments: {} });
      await c.expectMethod('queue.declare-ok');
      c.method(1, 'writeChannelFlow', { active: false });
      expect((await c.expectMethod('channel.flow-ok')).args).toEqual({ active: false });
      c.method(1, 'writeBasicConsume', { queue: 'flow', consumerTag: 'f', noAck: true, arguments: {} });
      await c.expectMethod('basic.consume-ok');
      c.publish(1, '', 'flow', Buffer.from('held'));
      c.flush();
      await waitFor(() => broker.getQueue('/', 'flow').ready === 1);
      c.method(1, 'writeChannelFlow', { active: true });
      expect((await c.expectMethod('channel.flow-ok')).args).toEqual({ active: true });
      expect((await c.expectMethod('basic.deliver')).args).toMatchObject({ consumerTag: 'f', routingKey: 'flow' });
      c.destroy();
    }));
});

describe('older and rarer methods', () => {
  it('redelivers on basic.recover-async (no reply) and answers access.request', () =>
    withBroker(async ({ port }) => {
      const c = await RawClient.connect(port);
      await c.openChannel(1);
      c.method(1, 'writeAccessRequest', { realm: '/data' });
      expect((await c.expectMethod('access.request-ok')).args).toEqual({ ticket: 1 });
      c.method(1, 'writeQueueDeclare', { queue: 'ra', arguments: {} });
      await c.expectMethod('queue.declare-ok');
      c.method(1, 'writeBasicConsume', { queue: 'ra', consumerTag: 'ra', arguments: {} });
      await c.expectMethod('basic.consume-ok');
      c.publish(1, '', 'ra', Buffer.from('again'));
      c.flush();
      expect((await c.expectMethod('basic.deliver')).args).toMatchObject({ redelivered: false });
      c.method(1, 'writeBasicRecoverAsync', { requeue: true });
      expect((await c.expectMethod('basic.deliver')).args).toMatchObject({ redelivered: true });
      c.destroy();
    }));
});
