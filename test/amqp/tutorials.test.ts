import type { Channel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { waitFor, withBroker, withChannel } from './helpers';

// The RabbitMQ tutorials (https://www.rabbitmq.com/tutorials), written with amqplib.

describe('tutorial 1: hello world', () => {
  it('delivers a message sent to a named queue', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('hello', { durable: false });
        ch.sendToQueue('hello', Buffer.from('Hello World!'));
        const received: string[] = [];
        await ch.consume('hello', (msg) => msg && received.push(msg.content.toString()), { noAck: true });
        await waitFor(() => received.length === 1);
        expect(received).toEqual(['Hello World!']);
      }),
    ));
});

describe('tutorial 2: work queues', () => {
  it('dispatches fairly with prefetch 1: a busy worker gets no second task', () =>
    withBroker(({ url }) =>
      withChannel(url, async (producer, conn) => {
        await producer.assertQueue('task_queue', { durable: true });
        const slow = await conn.createChannel();
        const fast = await conn.createChannel();
        const done: Record<'slow' | 'fast', string[]> = { slow: [], fast: [] };
        for (const [name, ch, ms] of [
          ['slow', slow, 300],
          ['fast', fast, 5],
        ] as const) {
          await ch.prefetch(1);
          await ch.consume('task_queue', (msg) => {
            if (!msg) return;
            setTimeout(() => {
              done[name].push(msg.content.toString());
              ch.ack(msg);
            }, ms);
          });
        }
        for (let i = 0; i < 10; i++) producer.sendToQueue('task_queue', Buffer.from(`task ${i}`), { persistent: true });
        await waitFor(() => done.slow.length + done.fast.length === 10);
        // With prefetch 1 the slow worker holds one task at a time; the fast one takes the rest.
        expect(done.slow.length).toBeLessThanOrEqual(3);
        expect(done.fast.length).toBeGreaterThanOrEqual(7);
        const all = [...done.slow, ...done.fast].sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]));
        expect(all).toEqual(Array.from({ length: 10 }, (_, i) => `task ${i}`));
      }),
    ));

  it('redelivers an unacked task when its worker goes away', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        await ch.assertQueue('tasks');
        const worker = await conn.createChannel();
        let seen = 0;
        await worker.consume('tasks', () => seen++);
        ch.sendToQueue('tasks', Buffer.from('job'));
        await waitFor(() => seen === 1);
        await worker.close();
        const again = await waitFor(() => ch.get('tasks'));
        expect(again && again.fields.redelivered).toBe(true);
      }),
    ));
});

describe('tutorial 3: publish/subscribe', () => {
  it('copies every log to each subscriber of a fanout exchange', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertExchange('logs', 'fanout', { durable: false });
        const got: Record<'a' | 'b', string[]> = { a: [], b: [] };
        for (const sub of ['a', 'b'] as const) {
          const q = await ch.assertQueue('', { exclusive: true });
          expect(q.queue).toMatch(/^amq\.gen-/);
          await ch.bindQueue(q.queue, 'logs', '');
          await ch.consume(q.queue, (msg) => msg && got[sub].push(msg.content.toString()), { noAck: true });
        }
        ch.publish('logs', '', Buffer.from('info: hi'));
        ch.publish('logs', '', Buffer.from('warn: careful'));
        await waitFor(() => got.a.length === 2 && got.b.length === 2);
        expect(got.a).toEqual(['info: hi', 'warn: careful']);
        expect(got.b).toEqual(got.a);
      }),
    ));
});

describe('tutorial 4: routing', () => {
  it('routes by exact key on a direct exchange', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertExchange('direct_logs', 'direct', { durable: false });
        const errors = await ch.assertQueue('', { exclusive: true });
        const all = await ch.assertQueue('', { exclusive: true });
        await ch.bindQueue(errors.queue, 'direct_logs', 'error');
        for (const severity of ['info', 'warning', 'error']) await ch.bindQueue(all.queue, 'direct_logs', severity);
        const got: Record<'errors' | 'all', string[]> = { errors: [], all: [] };
        await ch.consume(errors.queue, (m) => m && got.errors.push(m.fields.routingKey), { noAck: true });
        await ch.consume(all.queue, (m) => m && got.all.push(m.fields.routingKey), { noAck: true });
        for (const severity of ['info', 'error', 'warning', 'debug']) ch.publish('direct_logs', severity, Buffer.from(severity));
        await waitFor(() => got.all.length === 3);
        expect(got.errors).toEqual(['error']);
        expect(got.all).toEqual(['info', 'error', 'warning']);
      }),
    ));
});

describe('tutorial 5: topics', () => {
  it('routes with * and # patterns', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertExchange('topic_logs', 'topic', { durable: false });
        const patterns = { q1: ['*.orange.*'], q2: ['*.*.rabbit', 'lazy.#'] };
        const got: Record<keyof typeof patterns, string[]> = { q1: [], q2: [] };
        for (const name of ['q1', 'q2'] as const) {
          const keys = patterns[name];
          const q = await ch.assertQueue(name, { exclusive: true });
          for (const k of keys) await ch.bindQueue(q.queue, 'topic_logs', k);
          await ch.consume(q.queue, (m) => m && got[name].push(m.fields.routingKey), { noAck: true });
        }
        const keys = [
          'quick.orange.rabbit',
          'lazy.orange.elephant',
          'quick.orange.fox',
          'lazy.brown.fox',
          'lazy.pink.rabbit',
          'quick.brown.fox',
          'orange',
          'quick.orange.new.rabbit',
          'lazy.orange.new.rabbit',
        ];
        for (const k of keys) ch.publish('topic_logs', k, Buffer.from(k));
        ch.publish('topic_logs', 'end', Buffer.from(''));
        await waitFor(() => got.q2.includes('lazy.orange.new.rabbit'));
        expect(got.q1).toEqual(['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox']);
        expect(got.q2).toEqual(['quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.brown.fox', 'lazy.pink.rabbit', 'lazy.orange.new.rabbit']);
      }),
    ));
});

/** The tutorial's RPC server: answers fib(n) on rpc_queue to the request's reply-to. */
async function startFibServer(ch: Channel): Promise<void> {
  const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
  await ch.assertQueue('rpc_queue', { durable: false });
  await ch.prefetch(1);
  await ch.consume('rpc_queue', (msg) => {
    if (!msg) return;
    const n = Number(msg.content.toString());
    ch.sendToQueue(msg.properties.replyTo, Buffer.from(String(fib(n))), { correlationId: msg.properties.correlationId });
    ch.ack(msg);
  });
}

describe('tutorial 6: RPC', () => {
  it('answers through an exclusive callback queue, matched by correlation id', () =>
    withBroker(({ url }) =>
      withChannel(url, async (serverCh, conn) => {
        await startFibServer(serverCh);
        const client = await conn.createChannel();
        const callback = await client.assertQueue('', { exclusive: true });
        const answers = new Map<string, string>();
        await client.consume(callback.queue, (m) => m && answers.set(m.properties.correlationId, m.content.toString()), { noAck: true });
        for (const n of [10, 20]) client.sendToQueue('rpc_queue', Buffer.from(String(n)), { correlationId: `c${n}`, replyTo: callback.queue });
        await waitFor(() => answers.size === 2);
        expect(Object.fromEntries(answers)).toEqual({ c10: '55', c20: '6765' });
      }),
    ));

  it('answers through direct reply-to (amq.rabbitmq.reply-to)', () =>
    withBroker(({ url }) =>
      withChannel(url, async (serverCh, conn) => {
        await startFibServer(serverCh);
        const client = await conn.createChannel();
        const answers: { id: string; body: string; tag: number }[] = [];
        await client.consume(
          'amq.rabbitmq.reply-to',
          (m) => m && answers.push({ id: m.properties.correlationId, body: m.content.toString(), tag: m.fields.deliveryTag }),
          { noAck: true },
        );
        client.sendToQueue('rpc_queue', Buffer.from('7'), { correlationId: 'x', replyTo: 'amq.rabbitmq.reply-to' });
        client.sendToQueue('rpc_queue', Buffer.from('8'), { correlationId: 'y', replyTo: 'amq.rabbitmq.reply-to' });
        await waitFor(() => answers.length === 2);
        // Replies carry delivery tags from the channel's sequence, as RabbitMQ's do.
        expect(answers).toEqual([
          { id: 'x', body: '13', tag: 1 },
          { id: 'y', body: '21', tag: 2 },
        ]);
      }),
    ));
});

describe('direct reply-to rules', () => {
  it('refuses reply-to amq.rabbitmq.reply-to without a reply consumer on the channel (406)', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('rpc');
        const closed = new Promise<Error & { code?: number }>((resolve) => ch.once('error', resolve));
        ch.sendToQueue('rpc', Buffer.from('q'), { replyTo: 'amq.rabbitmq.reply-to' });
        const err = await closed;
        expect(err.code).toBe(406);
        expect(err.message).toContain('PRECONDITION_FAILED - fast reply consumer does not exist');
      }),
    ));

  it('refuses an acknowledging reply consumer (406) and returns replies to a gone consumer', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        const err = await new Promise<Error & { code?: number }>((resolve) => {
          ch.once('error', resolve);
          ch.consume('amq.rabbitmq.reply-to', () => {}, { noAck: false }).catch(() => {});
        });
        expect(err.code).toBe(406);
        const other = await conn.createChannel();
        const returned: number[] = [];
        other.on('return', (m) => returned.push(m.fields.replyCode));
        other.publish('', 'amq.rabbitmq.reply-to.no-such-consumer', Buffer.from('late'), { mandatory: true });
        await waitFor(() => returned.length === 1);
        expect(returned).toEqual([312]);
      }),
    ));
});
