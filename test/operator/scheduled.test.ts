import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { expectClose, waitFor, withBroker, withChannel } from '../amqp/helpers';
import { makeDataDir, openInProcess } from '../durability/support';

// Delayed messages as RabbitMQ's delayed-message plugin's clients publish
// them (x-delayed-message exchange, x-delay header), and Warren's
// x-deliver-at, listed, cancelled, delivered now and rescheduled.

const DELAYED = { arguments: { 'x-delayed-type': 'direct' } };

describe('scheduled messages', () => {
  it('a message published by amqplib with x-delay arrives after its delay', () =>
    withBroker(async ({ broker, url }) => {
      await withChannel(url, async (ch) => {
        await ch.assertExchange('later', 'x-delayed-message', DELAYED);
        await ch.assertQueue('jobs');
        await ch.bindQueue('jobs', 'later', 'job');
        const arrived: { at: number; m: ConsumeMessage }[] = [];
        await ch.consume('jobs', (m) => m && arrived.push({ at: Date.now(), m }), { noAck: true });
        const sent = Date.now();
        ch.publish('later', 'job', Buffer.from('run me'), { headers: { 'x-delay': 400 }, messageId: 'job-1' });
        ch.publish('later', 'job', Buffer.from('now'), { messageId: 'job-0' }); // no x-delay: routed at once
        await waitFor(() => arrived.length === 1, 2000, 'the undelayed message');
        expect(arrived[0]!.m.properties.messageId).toBe('job-0');
        const [area] = broker.scheduled.list('/');
        expect(area).toMatchObject({ exchange: 'later', exchangeType: 'x-delayed-message', count: 1 });
        await waitFor(() => arrived.length === 2, 5000, 'the delayed message');
        expect(arrived[1]!.m.properties.messageId).toBe('job-1');
        expect(arrived[1]!.m.content.toString()).toBe('run me');
        expect(arrived[1]!.at - sent).toBeGreaterThanOrEqual(390);
        expect(broker.scheduled.list('/')[0]).toMatchObject({ count: 0, released: 1, wakeUps: 1 });
      });
    }));

  it('can be listed with its due time, cancelled, delivered now and rescheduled', () =>
    withBroker(async ({ broker, url }) => {
      await withChannel(url, async (ch) => {
        await ch.assertExchange('later', 'x-delayed-message', DELAYED);
        await ch.assertExchange('plain', 'direct');
        await ch.assertQueue('jobs');
        await ch.bindQueue('jobs', 'later', 'job');
        await ch.bindQueue('jobs', 'plain', 'job');
        const got: string[] = [];
        await ch.consume('jobs', (m) => m && got.push(m.properties.messageId), { noAck: true });
        const before = Date.now();
        for (const id of ['a', 'b', 'c']) ch.publish('later', 'job', Buffer.from(id), { headers: { 'x-delay': 60_000 + id.charCodeAt(0) }, messageId: id });
        const at = Date.now() + 3_600_000;
        ch.publish('plain', 'job', Buffer.from('d'), { headers: { 'x-deliver-at': at }, messageId: 'd' });
        await waitFor(() => broker.scheduled.list('/').reduce((n, a) => n + a.count, 0) === 4, 2000, 'four scheduled messages');

        const page = await broker.scheduled.messages('/', 'later', { limit: 10, sort: 'due', dir: 'desc' });
        expect(page.total).toBe(3);
        expect(page.messages.map((m) => m.properties.messageId)).toEqual(['c', 'b', 'a']);
        expect(page.messages[2]!.dueAt).toBeGreaterThanOrEqual(before + 60_097);
        const searched = await broker.scheduled.messages('/', 'later', { limit: 10, query: { payload: { text: 'b' } }, queue: 'jobs' });
        expect(searched.messages.map((m) => m.properties.messageId)).toEqual(['b']);
        expect((await broker.scheduled.messages('/', 'plain', { limit: 10 })).messages[0]!.dueAt).toBe(at);

        const seq = (id: string) => page.messages.find((m) => m.properties.messageId === id)!.seq;
        expect(await broker.scheduled.cancel('/', 'later', [seq('a')])).toEqual({ cancelled: 1 });
        expect(await broker.scheduled.deliverNow('/', 'later', [seq('b')])).toEqual({ delivered: 1 });
        await waitFor(() => got.length === 1, 2000, 'the message delivered now');
        expect(got).toEqual(['b']);
        await broker.scheduled.reschedule('/', 'later', seq('c'), Date.now() + 200);
        await waitFor(() => got.length === 2, 3000, 'the rescheduled message');
        expect(got).toEqual(['b', 'c']);
        await new Promise((r) => setTimeout(r, 100));
        expect(got).toEqual(['b', 'c']); // 'a' was cancelled, 'd' is due in an hour
        expect(broker.scheduled.list('/').map((a) => [a.exchange, a.count])).toEqual([
          ['later', 0],
          ['plain', 1],
        ]);
        await expect(broker.scheduled.reschedule('/', 'later', seq('a'), Date.now())).rejects.toThrow(
          /no scheduled message \d+ on exchange 'later'.*delivered or cancelled meanwhile/,
        );
      });
    }));

  it("refuses an x-delayed-message exchange without a valid x-delayed-type, with the plugin's words", () =>
    withBroker(async ({ url }) => {
      await withChannel(url, async (ch) => {
        const error = await expectClose(ch, () => ch.assertExchange('later', 'x-delayed-message', { arguments: { 'x-delayed-type': 'nope' } }));
        expect(error.code).toBe(406);
        expect(error.message).toMatch(/PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must be an existing exchange type/);
      });
    }));

  it('survives a restart with its due time (durable exchange, persistent message)', async () => {
    const data = makeDataDir();
    try {
      let warren = await openInProcess(data.dir);
      warren.broker.declareExchange('/', 'later', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'topic' } });
      warren.broker.declareQueue('/', 'jobs', { durable: true });
      warren.broker.bindQueue('/', 'jobs', 'later', 'job.#');
      warren.broker.publish('/', 'later', 'job.1', { deliveryMode: 2, messageId: 'kept', headers: { 'x-delay': 3_600_000 } }, Buffer.from('x'));
      const dueAt = (await warren.broker.scheduled.messages('/', 'later', { limit: 1 })).messages[0]!.dueAt;
      await warren.broker.stored();
      await warren.close();

      warren = await openInProcess(data.dir);
      const page = await warren.broker.scheduled.messages('/', 'later', { limit: 5 });
      expect(page.messages.map((m) => [m.properties.messageId, m.dueAt])).toEqual([['kept', dueAt]]);
      await warren.broker.scheduled.deliverNow('/', 'later', [page.messages[0]!.seq]);
      expect(warren.broker.getQueue('/', 'jobs').ready).toBe(1);
      await warren.close();

      warren = await openInProcess(data.dir);
      expect(warren.broker.scheduled.list('/').reduce((n, a) => n + a.count, 0)).toBe(0);
      expect(warren.broker.browseQueue('/', 'jobs', { limit: 5 }).map((m) => m.properties.messageId)).toEqual(['kept']);
      await warren.close();
    } finally {
      data.remove();
    }
  }, 30_000);
});

describe('x-delayed-message routing', () => {
  it('routes as its x-delayed-type: topic patterns and headers bindings (x-match checked), BCC hidden when due', () =>
    withBroker(async ({ broker }) => {
      broker.declareExchange('/', 'later.topic', 'x-delayed-message', { arguments: { 'x-delayed-type': 'topic' } });
      broker.declareExchange('/', 'later.headers', 'x-delayed-message', { arguments: { 'x-delayed-type': 'headers' } });
      for (const q of ['eu', 'all', 'vip', 'copy']) broker.declareQueue('/', q);
      broker.bindQueue('/', 'eu', 'later.topic', 'orders.eu.*');
      broker.bindQueue('/', 'all', 'later.topic', 'orders.#');
      broker.bindQueue('/', 'copy', 'later.topic', 'audit');
      broker.bindQueue('/', 'vip', 'later.headers', '', { 'x-match': 'all', tier: 'vip' });
      expect(() => broker.bindQueue('/', 'vip', 'later.headers', '', { 'x-match': 'some' })).toThrow(/Invalid x-match field value "some"/);
      broker.publish('/', 'later.topic', 'orders.eu.1', { headers: { 'x-delay': 50, BCC: ['audit'] } }, Buffer.from('t'));
      broker.publish('/', 'later.headers', '', { headers: { 'x-delay': 50, tier: 'vip' } }, Buffer.from('h'));
      expect(broker.getQueue('/', 'all').ready).toBe(0);
      await waitFor(() => broker.getQueue('/', 'vip').ready === 1 && broker.getQueue('/', 'all').ready === 1, 3000, 'both due');
      expect(broker.getQueue('/', 'eu').ready).toBe(1);
      const copy = broker.browseQueue('/', 'copy', { limit: 1 })[0]!;
      expect(copy.body.toString()).toBe('t');
      expect(copy.properties.headers?.BCC).toBeUndefined();
    }));
});

describe('deleting a delayed exchange', () => {
  it('drops its scheduled messages at once, also from the journal', async () => {
    const data = makeDataDir();
    try {
      let warren = await openInProcess(data.dir);
      warren.broker.declareExchange('/', 'later', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'direct' } });
      warren.broker.publish('/', 'later', 'k', { deliveryMode: 2, headers: { 'x-delay': 3_600_000 } }, Buffer.from('x'));
      expect(warren.broker.scheduled.list('/')).toMatchObject([{ exchange: 'later', count: 1 }]);
      warren.broker.deleteExchange('/', 'later');
      expect(warren.broker.scheduled.list('/')).toEqual([]);
      await warren.broker.stored();
      await warren.close();
      warren = await openInProcess(data.dir);
      expect(warren.logs.join('\n')).not.toMatch(/amq\.delayed/);
      await warren.close();
    } finally {
      data.remove();
    }
  }, 30_000);
});
