import type { Channel, ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../server/broker/broker';
import { waitFor, withBroker, withChannel } from '../amqp/helpers';
import { makeDataDir, openInProcess } from '../durability/support';

// The console's precise operations as an application sees them: amqplib
// consumers receive exactly what the operation leaves them.

function publishNumbered(broker: Broker, queue: string, count: number, persistent = false): void {
  for (let i = 0; i < count; i++) {
    broker.publish('/', '', queue, { messageId: `m${i}`, deliveryMode: persistent ? 2 : 1 }, Buffer.from(JSON.stringify({ n: i })));
  }
}

/** Consumes `queue` with amqplib; returns the message ids received so far, live. */
async function collect(ch: Channel, queue: string): Promise<{ ids: string[]; messages: ConsumeMessage[] }> {
  const received = { ids: [] as string[], messages: [] as ConsumeMessage[] };
  await ch.consume(queue, (m) => {
    if (!m) return;
    received.ids.push(m.properties.messageId ?? '');
    received.messages.push(m);
    ch.ack(m);
  });
  return received;
}

const seqOf = (broker: Broker, queue: string, messageId: string) =>
  broker.browseQueue('/', queue, { limit: 1000 }).find((m) => m.properties.messageId === messageId)!.seq;

describe('precise operations', () => {
  it('purge-N removes exactly the first N; a consumer then gets the rest in order', () =>
    withBroker(async ({ broker, url }) => {
      broker.declareQueue('/', 'work');
      publishNumbered(broker, 'work', 10);
      expect(await broker.queueTools.purgeFirst('/', 'work', 3)).toEqual({ purged: 3 });
      await withChannel(url, async (ch) => {
        const got = await collect(ch, 'work');
        await waitFor(() => got.ids.length === 7, 5000, 'seven messages');
        expect(got.ids).toEqual(['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
      });
    }));

  it('move-one moves that message alone; copy leaves the original; purge-matching takes only the matches', () =>
    withBroker(async ({ broker, url }) => {
      broker.declareQueue('/', 'work');
      broker.declareQueue('/', 'other');
      publishNumbered(broker, 'work', 10);
      expect(await broker.queueTools.move('/', 'work', 'other', { seqs: [seqOf(broker, 'work', 'm5')] })).toEqual({ moved: 1, skipped: 0 });
      expect(await broker.queueTools.copy('/', 'work', 'other', { seqs: [seqOf(broker, 'work', 'm7')] })).toEqual({ copied: 1, skipped: 0 });
      expect(await broker.queueTools.delete('/', 'work', { query: { json: ['$.n >= 8'] } })).toEqual({ deleted: 2 });
      await withChannel(url, async (ch) => {
        const work = await collect(ch, 'work');
        const other = await collect(ch, 'other');
        await waitFor(() => work.ids.length === 7 && other.ids.length === 2, 5000, 'both queues drained');
        expect(work.ids).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm6', 'm7']);
        expect(other.ids).toEqual(['m5', 'm7']);
      });
    }));

  it('edit-and-republish publishes a new message linked to the original, which is gone', () =>
    withBroker(async ({ broker, url }) => {
      broker.declareQueue('/', 'work');
      broker.declareQueue('/', 'fixed');
      broker.publish(
        '/',
        '',
        'work',
        { messageId: 'order-42', contentType: 'application/json', headers: { tenant: 'a' } },
        Buffer.from('{"order":42,"amount":"oops"}'),
      );
      const seq = seqOf(broker, 'work', 'order-42');
      const result = await broker.queueTools.republishEdited('/', 'work', seq, {
        body: Buffer.from('{"order":42,"amount":12.5}'),
        headers: { tenant: 'a', fixedBy: 'oncall' },
        routingKey: 'fixed',
      });
      expect(result).toEqual({ routed: 1, removedOriginal: true, editedFrom: 'order-42' });
      expect(broker.getQueue('/', 'work').ready).toBe(0);
      await withChannel(url, async (ch) => {
        const got = await collect(ch, 'fixed');
        await waitFor(() => got.messages.length === 1, 5000, 'the edited message');
        const m = got.messages[0]!;
        expect(m.content.toString()).toBe('{"order":42,"amount":12.5}');
        expect(m.properties.contentType).toBe('application/json');
        expect(m.properties.messageId).toBeUndefined();
        expect(m.properties.headers).toMatchObject({
          tenant: 'a',
          fixedBy: 'oncall',
          'x-warren-edited-from': 'order-42',
          'x-warren-edited-from-queue': 'work',
        });
      });
      await expect(broker.queueTools.republishEdited('/', 'work', seq, {})).rejects.toThrow(
        /no ready message \d+ in queue 'work'.*consumed or removed meanwhile/,
      );
    }));

  it('pause: the consumer stays attached and gets nothing until resume; the queue list shows it', () =>
    withBroker(async ({ broker, url }) => {
      broker.declareQueue('/', 'work');
      await withChannel(url, async (ch) => {
        const got = await collect(ch, 'work');
        broker.queueTools.pause('/', 'work');
        for (let i = 0; i < 3; i++) ch.sendToQueue('work', Buffer.from('x'), { messageId: `p${i}` });
        await waitFor(() => broker.getQueue('/', 'work').ready === 3, 5000, 'three messages waiting');
        await new Promise((r) => setTimeout(r, 200));
        expect(got.ids).toEqual([]);
        expect(await ch.get('work')).toBe(false);
        expect(broker.getQueue('/', 'work')).toMatchObject({ paused: true, consumers: 1, ready: 3 });
        broker.queueTools.resume('/', 'work');
        await waitFor(() => got.ids.length === 3, 5000, 'delivery after resume');
        expect(got.ids).toEqual(['p0', 'p1', 'p2']);
        expect(broker.getQueue('/', 'work').paused).toBe(false);
      });
    }));

  it('a stream cannot be paused: 406 saying why', () =>
    withBroker(async ({ broker }) => {
      broker.declareQueue('/', 'log', { durable: true, arguments: { 'x-queue-type': 'stream' } });
      expect(() => broker.queueTools.pause('/', 'log')).toThrow(/PRECONDITION_FAILED - queue 'log' in vhost '\/' is a stream: it cannot be paused/);
    }));
});

describe('precise operations on a durable broker', () => {
  it('a pause survives a restart; a moved message is in exactly one queue after it', async () => {
    const data = makeDataDir();
    try {
      let warren = await openInProcess(data.dir);
      warren.broker.declareQueue('/', 'work', { durable: true });
      warren.broker.declareQueue('/', 'other', { durable: true });
      publishNumbered(warren.broker, 'work', 5, true);
      await warren.broker.queueTools.move('/', 'work', 'other', { seqs: [seqOf(warren.broker, 'work', 'm2')] });
      warren.broker.queueTools.pause('/', 'work');
      await warren.broker.stored();
      await warren.close();

      warren = await openInProcess(data.dir);
      expect(warren.broker.getQueue('/', 'work')).toMatchObject({ paused: true, ready: 4 });
      expect(warren.broker.browseQueue('/', 'other', { limit: 10 }).map((m) => m.properties.messageId)).toEqual(['m2']);
      await withChannel(warren.url, async (ch) => {
        const got = await collect(ch, 'work');
        await new Promise((r) => setTimeout(r, 200));
        expect(got.ids).toEqual([]);
        warren.broker.queueTools.resume('/', 'work');
        await waitFor(() => got.ids.length === 4, 5000, 'delivery after resume');
        expect(got.ids).toEqual(['m0', 'm1', 'm3', 'm4']);
      });
      await warren.broker.stored();
      await warren.close();

      warren = await openInProcess(data.dir);
      expect(warren.broker.getQueue('/', 'work')).toMatchObject({ paused: false, ready: 0 });
      await warren.close();
    } finally {
      data.remove();
    }
  }, 30_000);
});
