import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentAudit } from '../../server/api/audit';
import { appRouter } from '../../server/api/root';
import type { Broker } from '../../server/broker/broker';
import { openMetadataDb, type MetadataDb } from '../../server/store/db';
import { waitFor, withBroker, withChannel } from '../amqp/helpers';
import { testServices } from '../support/services';

// Search, precise operations and scheduled messages as the console calls
// them: real broker, real amqplib clients, real SQLite for the audit log.

let dir: string;
let db: MetadataDb;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warren-operator-api-'));
  db = await openMetadataDb({ dataDir: dir });
});

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function callers(broker: Broker) {
  const s = testServices(broker, db);
  const as = (name: string, tags: string[]) => appRouter.createCaller({ services: s, user: { name, tags }, peerAddress: '127.0.0.1', setCookie: () => {} });
  return { oncall: as('oncall', ['administrator']), watcher: as('watcher', ['monitoring']) };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return { status: getHTTPStatusCodeFromError(error as TRPCError), message: (error as TRPCError).message };
}

function fill(broker: Broker, count: number): void {
  broker.declareQueue('/', 'orders');
  for (let i = 0; i < count; i++) broker.publish('/', '', 'orders', { messageId: `o${i}` }, Buffer.from(JSON.stringify({ order: { id: i }, amount: i * 10 })));
}

describe('search and precise operations from the console', () => {
  it('a monitoring user may search but not purge; an administrator purges, audited', () =>
    withBroker(async ({ broker }) => {
      fill(broker, 50);
      const { oncall, watcher } = callers(broker);
      const started = await watcher.search.start({ vhost: '/', name: 'orders', query: { json: ['$.amount > 450'] } });
      await broker.search.ended(started.id);
      const { progress, hits } = await watcher.search.results({ vhost: '/', id: started.id });
      expect(progress).toMatchObject({ state: 'finished', scanned: 50, matched: 4 });
      expect(hits.map((h) => h.properties.messageId)).toEqual(['o46', 'o47', 'o48', 'o49']);
      expect(JSON.parse(Buffer.from(hits[0]!.payloadBase64, 'base64').toString())).toEqual({ order: { id: 46 }, amount: 460 });
      // Another user does not see it.
      expect((await refusal(oncall.search.results({ vhost: '/', id: started.id }))).status).toBe(404);

      expect(await refusal(watcher.messages.purgeFirst({ vhost: '/', name: 'orders', count: 5 }))).toEqual({
        status: 403,
        message: "User 'watcher' may only look (monitoring): changes need the management tag.",
      });
      expect(await refusal(watcher.messages.pause({ vhost: '/', name: 'orders' }))).toMatchObject({ status: 403 });
      expect(broker.getQueue('/', 'orders').ready).toBe(50);

      expect(await oncall.messages.purgeFirst({ vhost: '/', name: 'orders', count: 5 })).toEqual({ purged: 5 });
      expect(await oncall.messages.delete({ vhost: '/', name: 'orders', selection: { query: { json: ['$.order.id >= 45'] } } })).toEqual({ deleted: 5 });
      expect(broker.getQueue('/', 'orders').ready).toBe(40);
      const [deleteEntry, purgeEntry] = await recentAudit(testServices(broker, db), 2);
      expect(purgeEntry).toMatchObject({
        user: 'oncall',
        action: 'queue.purge-first',
        target: "queue 'orders' in vhost '/'",
        details: { asked: 5, purged: 5 },
      });
      expect(deleteEntry).toMatchObject({ action: 'messages.delete', details: { query: { json: ['$.order.id >= 45'] }, deleted: 5 } });
    }));

  it('answers 400 pointing at the error position of a bad JSON path or regular expression', () =>
    withBroker(async ({ broker }) => {
      fill(broker, 1);
      const { watcher } = callers(broker);
      expect(await refusal(watcher.search.start({ vhost: '/', name: 'orders', query: { json: ['$.order..id == 1'] } }))).toEqual({
        status: 400,
        message:
          "JSON path condition '$.order..id == 1' at position 9: a property name must follow '.' (letters, digits, _ or -; write $['a b'] for other names)",
      });
      expect(await refusal(watcher.search.start({ vhost: '/', name: 'orders', query: { payload: { text: 'id":(1|2', regex: true } } }))).toEqual({
        status: 400,
        message: "payload pattern 'id\":(1|2' at position 5: the group opened here is not closed; add ')' (to match '(' write '\\(')",
      });
    }));

  it('pause shows on the queue list; edit-and-republish is audited with its link', () =>
    withBroker(async ({ broker }) => {
      fill(broker, 3);
      const { oncall } = callers(broker);
      await oncall.messages.pause({ vhost: '/', name: 'orders' });
      expect((await oncall.queues.list({})).rows.find((r) => r.name === 'orders')).toMatchObject({ paused: true });
      await oncall.messages.resume({ vhost: '/', name: 'orders' });
      expect((await oncall.queues.list({})).rows.find((r) => r.name === 'orders')).toMatchObject({ paused: false });
      const seq = broker.browseQueue('/', 'orders', { limit: 1 })[0]!.seq;
      const result = await oncall.messages.republish({ vhost: '/', name: 'orders', seq, payload: '{"order":{"id":0},"amount":1}' });
      expect(result).toEqual({ routed: 1, removedOriginal: true, editedFrom: 'o0' });
      const tail = broker.browseQueue('/', 'orders', { offset: 2, limit: 1 })[0]!;
      expect(tail.body.toString()).toBe('{"order":{"id":0},"amount":1}');
      expect(tail.properties.headers).toMatchObject({ 'x-warren-edited-from': 'o0', 'x-warren-edited-from-queue': 'orders' });
      const [entry] = await recentAudit(testServices(broker, db), 1);
      expect(entry).toMatchObject({ action: 'message.edit-republish', details: { seq, editedFrom: 'o0', removedOriginal: true } });
    }));
});

describe('scheduled messages from the console', () => {
  it('a delayed message published by amqplib with x-delay arrives after its delay, can be cancelled and delivered now', () =>
    withBroker(async ({ broker, url }) => {
      const { oncall, watcher } = callers(broker);
      await withChannel(url, async (ch) => {
        await ch.assertExchange('later', 'x-delayed-message', { arguments: { 'x-delayed-type': 'direct' } });
        await ch.assertQueue('jobs');
        await ch.bindQueue('jobs', 'later', 'job');
        const got: { id: string; at: number }[] = [];
        await ch.consume('jobs', (m: ConsumeMessage | null) => m && got.push({ id: m.properties.messageId, at: Date.now() }), { noAck: true });
        const sent = Date.now();
        ch.publish('later', 'job', Buffer.from('soon'), { messageId: 'soon', headers: { 'x-delay': 300 } });
        ch.publish('later', 'job', Buffer.from('cancel me'), { messageId: 'cancel-me', headers: { 'x-delay': 600_000 } });
        ch.publish('later', 'job', Buffer.from('now please'), { messageId: 'now-please', headers: { 'x-delay': 600_000 } });
        await waitFor(async () => (await watcher.scheduled.list({ vhost: '/', exchange: 'later' })).total === 3, 2000, 'three scheduled');

        const page = await watcher.scheduled.list({ vhost: '/', exchange: 'later', sort: 'due' });
        expect(page.messages.map((m) => m.properties.messageId)).toEqual(['soon', 'cancel-me', 'now-please']);
        expect(page.messages[1]!.dueAt).toBeGreaterThanOrEqual(sent + 600_000);
        expect(await watcher.scheduled.areas({ vhost: '/' })).toMatchObject([{ exchange: 'later', count: 3 }]);
        const seq = (id: string) => page.messages.find((m) => m.properties.messageId === id)!.seq;
        expect((await refusal(watcher.scheduled.cancel({ vhost: '/', exchange: 'later', seqs: [seq('cancel-me')] }))).status).toBe(403);

        await waitFor(() => got.length === 1, 3000, 'the 300 ms message');
        expect(got[0]!.id).toBe('soon');
        expect(got[0]!.at - sent).toBeGreaterThanOrEqual(290);

        expect(await oncall.scheduled.cancel({ vhost: '/', exchange: 'later', seqs: [seq('cancel-me')] })).toEqual({ cancelled: 1 });
        expect(await oncall.scheduled.deliverNow({ vhost: '/', exchange: 'later', seqs: [seq('now-please')] })).toEqual({ delivered: 1 });
        await waitFor(() => got.length === 2, 2000, 'the message delivered now');
        expect(got.map((g) => g.id)).toEqual(['soon', 'now-please']);
        expect((await oncall.scheduled.list({ vhost: '/', exchange: 'later' })).total).toBe(0);
        const [deliverEntry, cancelEntry] = await recentAudit(testServices(broker, db), 2);
        expect(cancelEntry).toMatchObject({ user: 'oncall', action: 'scheduled.cancel', details: { cancelled: 1 } });
        expect(deliverEntry).toMatchObject({ action: 'scheduled.deliver-now', details: { delivered: 1 } });
      });
    }));
});
