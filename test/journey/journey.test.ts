import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import amqp, { type Channel, type ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { cleanupAfterEach } from '../durability/cleanup';
import { makeDataDir } from '../durability/support';
import { openJourneyServer, type JourneyServer } from './support';

// A traced message's journey as the console shows it: real server, real
// amqplib clients, the trace log in a real data directory.

const cleanup = cleanupAfterEach();

async function started(dir: string, bounds?: Parameters<typeof openJourneyServer>[1]): Promise<JourneyServer> {
  const server = await openJourneyServer(dir, bounds);
  let closed = false;
  const close = server.close;
  server.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanup.push(() => server.close());
  return server;
}

function dataDir(): string {
  const data = makeDataDir();
  cleanup.push(() => data.remove());
  return data.dir;
}

/** Consumes from `queue` as `tag` and rejects (no requeue) every delivery; resolves with the deliveries seen once `count` came. */
function rejectEach(ch: Channel, queue: string, tag: string, count: number): Promise<ConsumeMessage[]> {
  const seen: ConsumeMessage[] = [];
  return new Promise((resolve) => {
    void ch.consume(
      queue,
      (msg) => {
        if (msg === null) return;
        seen.push(msg);
        ch.reject(msg, false);
        if (seen.length === count) resolve(seen);
      },
      { consumerTag: tag },
    );
  });
}

async function journeyOf(server: JourneyServer, text: string) {
  const { journeys } = await server.watcher.journeys.find({ vhost: '/', text });
  return journeys;
}

describe('message journeys', () => {
  it('a traced message through a topic exchange, a retry tier and the dead-letter queue shows every step in order, also after a restart', async () => {
    const dir = dataDir();
    const first = await started(dir);
    // A monitoring user may look but not switch tracing.
    const refused = await first.watcher.journeys.setTracing({ vhost: '/', queue: 'billing', on: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).message).toBe("User 'watcher' may only look (monitoring): changes need the management tag.");

    const conn = await amqp.connect(first.url, { clientProperties: { connection_name: 'billing-service' } });
    cleanup.push(() => conn.close().catch(() => {}));
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('orders', 'topic', { durable: true });
    await ch.assertQueue('billing', { durable: true, arguments: { 'x-retry-tiers': ['300ms'] } });
    await ch.bindQueue('billing', 'orders', 'order.*');
    await ch.bindQueue('billing', 'orders', 'order.#');
    expect(await first.admin.journeys.setTracing({ vhost: '/', queue: 'billing', on: true })).toEqual({ vhost: false, queues: ['billing'] });

    ch.publish('orders', 'order.created', Buffer.from('{"order":42}'), {
      persistent: true,
      messageId: 'order-42',
      correlationId: 'checkout-7',
      headers: { tenant: 'acme' },
    });
    await ch.waitForConfirms();
    const deliveries = await rejectEach(ch, 'billing', 'billing-worker', 2);
    expect(deliveries.map((d) => d.properties.headers?.['x-retry-attempt'])).toEqual([undefined, 1]);
    await waitFor(() => first.broker.getQueue('/', 'billing.dlq').ready === 1, 5000, 'the dead letter');

    const [journey, ...others] = await journeyOf(first, 'order-42');
    expect(others).toEqual([]);
    const connection = first.broker.listConnections()[0]!.id;
    const steps = journey!.steps.map(({ kind, queue, details }) => ({ kind, queue, details }));
    expect(steps).toEqual([
      {
        kind: 'published',
        queue: undefined,
        details: {
          exchange: 'orders',
          routingKey: 'order.created',
          bytes: 12,
          persistent: true,
          connection,
          channel: 1,
          user: 'guest',
          client: 'billing-service',
        },
      },
      {
        kind: 'binding-matched',
        queue: undefined,
        details: expect.objectContaining({ exchange: 'orders', destination: 'billing', destinationType: 'queue', bindingKey: 'order.*' }),
      },
      {
        kind: 'binding-matched',
        queue: undefined,
        details: expect.objectContaining({ exchange: 'orders', destination: 'billing', destinationType: 'queue', bindingKey: 'order.#' }),
      },
      { kind: 'enqueued', queue: 'billing', details: {} },
      {
        kind: 'delivered',
        queue: 'billing',
        details: { consumerTag: 'billing-worker', via: 'basic.consume', connection, channel: 1, redelivered: false, deliveryCount: 0 },
      },
      { kind: 'rejected', queue: 'billing', details: { consumerTag: 'billing-worker', connection, channel: 1, deliveryTag: 1, requeue: false } },
      {
        kind: 'retry-scheduled',
        queue: 'billing',
        details: { tier: '300ms', attempt: 1, dueAt: expect.any(Number), holdingArea: 'amq.retry.billing.tier1-300ms' },
      },
      { kind: 'retry-released', queue: 'billing', details: { tier: '300ms', holdingArea: 'amq.retry.billing.tier1-300ms' } },
      { kind: 'enqueued', queue: 'billing', details: {} },
      {
        kind: 'delivered',
        queue: 'billing',
        details: { consumerTag: 'billing-worker', via: 'basic.consume', connection, channel: 1, redelivered: false, deliveryCount: 0 },
      },
      { kind: 'rejected', queue: 'billing', details: { consumerTag: 'billing-worker', connection, channel: 1, deliveryTag: 2, requeue: false } },
      { kind: 'dead-lettered', queue: 'billing', details: { reason: 'rejected', exchange: '', routingKey: 'billing.dlq' } },
      { kind: 'enqueued', queue: 'billing.dlq', details: {} },
    ]);
    // The retry waited its tier: released no earlier than due.
    const scheduled = journey!.steps[6]!;
    const released = journey!.steps[7]!;
    expect(released.at).toBeGreaterThanOrEqual(scheduled.details.dueAt as number);
    // Due one tier (300 ms) after the failure; the step itself is stamped a moment later.
    const tierWait = (scheduled.details.dueAt as number) - scheduled.at;
    expect(tierWait).toBeGreaterThan(250);
    expect(tierWait).toBeLessThanOrEqual(300);
    // Each step of a new message (the retry, the dead letter) links to the one it was made from.
    const ids = journey!.steps.map((s) => s.id);
    expect(journey!.steps[6]!.from).toBe(ids[0]);
    expect(journey!.steps[11]!.from).toBe(ids[6]);
    expect(journey!.keys).toEqual({ messageId: 'order-42', correlationId: 'checkout-7', headers: { tenant: 'acme' } });
    expect(journey!.matchedBy).toEqual(['message id']);

    // The same journey by correlation id, header, and the broker id of the dead letter.
    for (const text of ['checkout-7', 'tenant=acme', String(ids[11]), `warren:${ids[0]}`]) {
      const found = await journeyOf(first, text);
      expect(
        found.map((j) => [j.rootId, j.steps.length]),
        text,
      ).toEqual([[ids[0], 13]]);
    }

    await conn.close();
    await first.close();
    const second = await started(dir);
    expect(await second.watcher.journeys.tracing({ vhost: '/' })).toEqual({ vhost: false, queues: ['billing'] });
    const [again] = await journeyOf(second, 'order-42');
    expect(again!.steps).toEqual(journey!.steps);
  });

  it('records nothing while tracing is off, and records again when the vhost is traced', async () => {
    const server = await started(dataDir());
    const conn = await amqp.connect(server.url);
    cleanup.push(() => conn.close().catch(() => {}));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('plain', { durable: true });
    await ch.assertQueue('watched', { durable: true });
    await server.admin.journeys.setTracing({ vhost: '/', queue: 'watched', on: true });
    await server.admin.journeys.setTracing({ vhost: '/', queue: 'watched', on: false });
    ch.sendToQueue('plain', Buffer.from('a'), { messageId: 'quiet-1' });
    ch.sendToQueue('watched', Buffer.from('b'), { messageId: 'quiet-2' });
    ch.publish('amq.direct', 'nowhere', Buffer.from('c'), { messageId: 'quiet-3' });
    await ch.waitForConfirms();
    const msg = await waitFor(() => ch.get('watched'), 2000, 'the message');
    if (msg) ch.ack(msg);
    await server.log.flush();
    expect(server.log.events()).toEqual([]);
    expect(readdirSync(join(server.log.dir))).toEqual([]);
    expect(await journeyOf(server, 'quiet-2')).toEqual([]);

    // The whole vhost: every message, unroutable ones too.
    expect(await server.admin.journeys.setTracing({ vhost: '/', on: true })).toEqual({ vhost: true, queues: [] });
    ch.sendToQueue('plain', Buffer.from('d'), { messageId: 'loud-1' });
    ch.publish('amq.direct', 'nowhere', Buffer.from('e'), { messageId: 'loud-2' });
    await ch.waitForConfirms();
    expect((await journeyOf(server, 'loud-1'))[0]!.steps.map((s) => s.kind)).toEqual(['published', 'enqueued']);
    expect((await journeyOf(server, 'loud-2'))[0]!.steps).toMatchObject([{ kind: 'unroutable', details: { exchange: 'amq.direct', routingKey: 'nowhere' } }]);
  });

  it('console operations appear with who did them: a move, and an edit republished as a new message', async () => {
    const server = await started(dataDir());
    const conn = await amqp.connect(server.url);
    cleanup.push(() => conn.close().catch(() => {}));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('inbox', { durable: true });
    await ch.assertQueue('parking', { durable: true });
    await server.admin.journeys.setTracing({ vhost: '/', queue: 'inbox', on: true });
    ch.sendToQueue('inbox', Buffer.from('{"v":1}'), { messageId: 'm-1' });
    await ch.waitForConfirms();
    const [browsed] = await server.admin.queues.browse({ vhost: '/', name: 'inbox', limit: 1 });
    await server.admin.messages.move({ vhost: '/', name: 'inbox', to: 'parking', selection: { seqs: [1] } });
    await server.admin.messages.republish({ vhost: '/', name: 'parking', seq: 1, payload: '{"v":2}', exchange: '', routingKey: 'inbox' });
    const [journey] = await journeyOf(server, 'm-1');
    expect(journey!.steps.map((s) => [s.kind, s.queue ?? null, s.details.by ?? null, s.details.to ?? null])).toEqual([
      ['published', null, null, null],
      ['enqueued', 'inbox', null, null],
      ['moved', 'inbox', 'oncall', 'parking'],
      ['enqueued', 'parking', null, null],
      ['edited', 'parking', 'oncall', null],
      ['published', null, null, null],
      ['enqueued', 'inbox', null, null],
    ]);
    expect(journey!.steps[0]!.id).toBe(browsed!.brokerId);
    expect(journey!.steps[5]).toMatchObject({ from: browsed!.brokerId, details: { user: 'oncall', client: 'console' } });
  });

  it('keeps at most the configured count and age, on disk too, and starts after a damaged tail', async () => {
    const dir = dataDir();
    // The trace log's clock runs ahead by `ahead` ms: events recorded now look that much older to it.
    let ahead = 0;
    const bounds = { maxEvents: 10, segmentEvents: 4, now: () => Date.now() + ahead };
    const server = await started(dir, bounds);
    server.broker.declareQueue('/', 'counted', { durable: true });
    server.broker.journeys.setTracing('/', 'counted', true);
    for (let i = 1; i <= 12; i++) server.broker.publish('/', '', 'counted', { messageId: `c-${i}` }, Buffer.from('x'));
    await server.log.flush();
    // 24 events (published + enqueued each): the 10 newest are kept.
    expect(server.log.events().map((e) => e.message?.messageId ?? e.kind)).toEqual([
      'c-8',
      'enqueued',
      'c-9',
      'enqueued',
      'c-10',
      'enqueued',
      'c-11',
      'enqueued',
      'c-12',
      'enqueued',
    ]);
    expect(await journeyOf(server, 'c-1')).toEqual([]);
    expect((await journeyOf(server, 'c-12'))[0]!.steps).toHaveLength(2);
    // Whole segments past the bound are gone from disk: 24 events in segments of 4, the newest 10 need the last 3.
    expect(readdirSync(join(dir, 'journeys'))).toHaveLength(3);

    // Age: a second later, and with the clock 24 h less half a second ahead, those events are past 24 h; a new one is not.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    ahead = 86_400_000 - 500;
    server.broker.publish('/', '', 'counted', { messageId: 'c-13' }, Buffer.from('x'));
    await server.log.flush();
    expect(server.log.events().map((e) => e.message?.messageId ?? e.kind)).toEqual(['c-13', 'enqueued']);
    expect(readdirSync(join(dir, 'journeys'))).toHaveLength(1);
    await server.close();

    // A torn last line (a crash mid-write) is skipped; the rest comes back.
    const [segment] = readdirSync(join(dir, 'journeys'));
    appendFileSync(join(dir, 'journeys', segment!), '0badc0de {"at":1,"ki');
    ahead = 0;
    const restarted = await started(dir, bounds);
    expect(restarted.log.damagedLines).toBe(1);
    expect((await journeyOf(restarted, 'c-13'))[0]!.steps.map((s) => s.kind)).toEqual(['published', 'enqueued']);
  });
});
