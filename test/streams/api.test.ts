// The streams tRPC router against a real broker and a real SQLite metadata
// database (for the audit entry of a group reset).

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recentAudit } from '../../server/api/audit';
import { streamsRouter } from '../../server/api/routers/streams';
import type { ApiContext } from '../../server/api/trpc';
import { Broker } from '../../server/broker/broker';
import type { Services } from '../../server/services';
import { openMetadataDb, type MetadataDb } from '../../server/store/db/index';
import { tempDir } from './support';

let db: MetadataDb | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

async function setUp() {
  db = await openMetadataDb({ dataDir: join(tempDir(), 'data'), log: () => {} });
  let clock = 1_000_000;
  const broker = new Broker({ now: () => (clock += 10) });
  broker.declareQueue('/', 'events', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  broker.declareQueue('/', 'plain', { durable: true });
  for (let i = 0; i < 10; i++) broker.publish('/', '', 'events', { headers: { i } }, Buffer.from(`m${i}`));
  // Only what the streams router uses is real here: the broker and the database.
  const services = { broker, db } as unknown as Services;
  const ctx: ApiContext = { services, user: { name: 'alice', tags: ['administrator'] }, peerAddress: '127.0.0.1' } as unknown as ApiContext;
  return { broker, services, api: streamsRouter.createCaller(ctx) };
}

describe('streams API', () => {
  it('lists streams with offsets, times and counts', async () => {
    const { api } = await setUp();
    const stream = (await api.list({}))[0]!;
    expect(stream).toMatchObject({ vhost: '/', name: 'events', messages: 10, firstOffset: 0, lastOffset: 9, published: 10, segments: 1, groups: 0 });
    expect(stream.lastTimestamp as number).toBeGreaterThan(stream.firstTimestamp as number);
  });

  it('reads pages from an offset or a time, with offsets to page back and on', async () => {
    const { api } = await setUp();
    const page = await api.read({ vhost: '/', name: 'events', from: { kind: 'offset', offset: 3 }, limit: 4 });
    expect(page.messages.map((m) => m.offset)).toEqual([3, 4, 5, 6]);
    expect(Buffer.from(page.messages[0]!.payloadBase64, 'base64').toString()).toBe('m3');
    expect(page.messages[0]!.properties).toMatchObject({ headers: { i: 3 } });
    expect(page).toMatchObject({ previousOffset: 0, nextOffset: 7, firstOffset: 0, tailOffset: 10 });
    const at = page.messages[2]!.timestamp;
    const byTime = await api.read({ vhost: '/', name: 'events', from: { kind: 'timestamp', at }, limit: 2 });
    expect(byTime.messages.map((m) => m.offset)).toEqual([5, 6]);
    const end = await api.read({ vhost: '/', name: 'events', from: { kind: 'next' } });
    expect(end).toMatchObject({ messages: [], nextOffset: 10 });
  });

  it('resets a group, shows its lag, and records the reset in the audit log', async () => {
    const { api, services } = await setUp();
    expect(await api.resetGroup({ vhost: '/', name: 'events', group: 'billing', to: { kind: 'offset', offset: 4 } })).toEqual({ resumeAt: 4 });
    const group = (await api.groups({ vhost: '/', name: 'events' }))[0]!;
    expect(group).toMatchObject({ name: 'billing', committedOffset: 3, consumers: 0, activeConsumerTag: null });
    expect(group.lag.messages).toBe(6);
    expect(group.lag.ms).toBe(60);
    const [entry] = await recentAudit(services, 1);
    expect(entry).toMatchObject({ user: 'alice', action: 'stream.reset-group', target: "group 'billing' of stream 'events' in vhost '/'" });
  });

  it('answers with the broker words: 404 for a missing stream, 412 for a queue that is not a stream, 400 for bad input', async () => {
    const { api } = await setUp();
    await expect(api.read({ vhost: '/', name: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: "NOT_FOUND - no queue 'nope' in vhost '/'" });
    await expect(api.groups({ vhost: '/', name: 'plain' })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await expect(api.read({ vhost: '/', name: 'events', from: { kind: 'offset', offset: -1 } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
