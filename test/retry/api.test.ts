import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { Broker } from '../../server/broker/broker';
import { openMetadataDb, type MetadataDb } from '../../server/store/db';
import { testServices } from '../support/services';

// The retries and dead-letters procedures as the console calls them, on a real
// broker and a real SQLite metadata database (for the audit entries).

let dir: string;
let db: MetadataDb;
let broker: Broker;
let now = Date.UTC(2026, 0, 2, 3, 4, 5);

function caller() {
  const services = testServices(broker, db, { startedAt: now });
  return appRouter.createCaller({ services, user: { name: 'oncall', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warren-retry-api-'));
  db = await openMetadataDb({ dataDir: dir });
});

afterAll(async () => {
  broker?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 'work' with tiers 1s and 1m; 'a' and 'b' rejected through both into work.dlq, 'c' waiting in tier 0. */
function scenario() {
  broker?.close();
  now = Date.UTC(2026, 0, 2, 3, 4, 5);
  broker = new Broker({ now: () => now });
  broker.declareQueue('/', 'work', { durable: true, arguments: { 'x-retry-tiers': ['1s', '1m'] } });
  const channel = broker.openConnection({ vhost: '/', user: 'app', clientProperties: {}, peerAddress: 'test' }).openChannel(1);
  const rejectAll = () => {
    for (let d = channel.get('work', false); d; d = channel.get('work', false)) channel.reject(d.deliveryTag, false);
  };
  for (const body of ['a', 'b']) broker.publish('/', '', 'work', { headers: { tenant: 'acme' } }, Buffer.from(body));
  rejectAll();
  now += 1000;
  broker.scheduler.runDue();
  rejectAll();
  now += 60_000;
  broker.scheduler.runDue();
  rejectAll();
  broker.publish('/', '', 'work', {}, Buffer.from('c'));
  rejectAll();
}

describe('retries procedures', () => {
  it('list, get and browseTier show tiers and held messages', async () => {
    scenario();
    const api = caller();
    const listed = (await api.retries.list({}))[0]!;
    expect(listed).toMatchObject({ vhost: '/', queue: 'work', source: 'x-retry-tiers', deadLetterRoutingKey: 'work.dlq' });
    expect(listed.tiers.map((t) => [t.label, t.count, t.nextDueAt])).toEqual([
      ['1s', 1, now + 1000],
      ['1m', 0, null],
    ]);
    expect((await api.retries.get({ vhost: '/', name: 'work' })).tiers).toHaveLength(2);
    const held = (await api.retries.browseTier({ vhost: '/', name: 'work', tier: 0 }))[0]!;
    expect(held).toMatchObject({ position: 0, attempt: 1, dueAt: now + 1000, payloadBase64: Buffer.from('c').toString('base64') });
    expect(held.properties.headers).toMatchObject({ 'x-retry-tier': '1s', 'x-retry-attempt': 1 });
    await expect(api.retries.browseTier({ vhost: '/', name: 'work', tier: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.retries.browseTier({ vhost: '/', name: 'work', tier: -1 })).rejects.toThrow(/Tiers are numbered from 0/);
    await expect(api.retries.get({ vhost: '/', name: 'missing' })).rejects.toThrow(/NOT_FOUND - no queue 'missing'/);
  });
});

describe('dead-letters procedures', () => {
  it('list shows the death details; export gives JSON lines; both leave the queue as it was', async () => {
    scenario();
    const api = caller();
    const page = await api.deadLetters.list({ vhost: '/', name: 'work.dlq', filter: { reason: 'rejected', originalQueue: 'work' } });
    expect(page.total).toBe(2);
    expect(page.messages[0]).toMatchObject({ reason: 'rejected', originalQueue: 'work', originalExchange: '', routingKeys: ['work'], attempts: 2, deaths: 1 });
    expect(page.messages[0]!.properties.headers).toMatchObject({
      tenant: 'acme',
      'x-death': [{ reason: 'rejected', time: { $timestamp: expect.any(String) } }],
    });
    const exported = await api.deadLetters.export({ vhost: '/', name: 'work.dlq', selection: { seqs: [page.messages[1]!.seq] } });
    expect(exported.count).toBe(1);
    const lines = exported.jsonl
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { payloadBase64: string; reason: string });
    expect(lines.map((l) => [Buffer.from(l.payloadBase64, 'base64').toString(), l.reason])).toEqual([['b', 'rejected']]);
    expect(broker.getQueue('/', 'work.dlq').ready).toBe(2);
    await expect(api.deadLetters.list({ vhost: '/', name: 'work.dlq', filter: { from: 10, to: 5 } })).rejects.toThrow(/swap from and to/);
  });

  it('lists dead letters without their payloads, which are read one message at a time', async () => {
    scenario();
    const api = caller();
    const page = await api.deadLetters.list({ vhost: '/', name: 'work.dlq' });
    const first = page.messages[0]!;
    expect(first).not.toHaveProperty('payloadBase64');
    expect(first.sizeBytes).toBe(1);
    const opened = await api.deadLetters.message({ vhost: '/', name: 'work.dlq', seq: first.seq });
    expect(Buffer.from(opened.payloadBase64, 'base64').toString()).toBe('a');
    expect(opened.properties.headers).toMatchObject({ tenant: 'acme' });
    await expect(api.deadLetters.message({ vhost: '/', name: 'work.dlq', seq: 999 })).rejects.toThrow(/no longer in queue 'work.dlq'/);
  });

  it('requeue and delete change the queues and are recorded in the audit log', async () => {
    scenario();
    const api = caller();
    const { messages } = await api.deadLetters.list({ vhost: '/', name: 'work.dlq' });
    const requeued = await api.deadLetters.requeue({ vhost: '/', name: 'work.dlq', selection: { seqs: [messages[0]!.seq] }, resetAttempts: true });
    expect(requeued).toEqual({ requeued: 1, skipped: 0 });
    const back = broker.browseQueue('/', 'work', { limit: 10 });
    expect(back.map((m) => [m.body.toString(), m.properties.headers?.['x-retry-attempt']])).toEqual([['a', undefined]]);
    expect(await api.deadLetters.delete({ vhost: '/', name: 'work.dlq', selection: { filter: {} } })).toEqual({ deleted: 1 });
    expect(broker.getQueue('/', 'work.dlq').ready).toBe(0);
    const audit = await db.prisma.auditEntry.findMany({ orderBy: { id: 'desc' }, take: 2 });
    expect(audit.map((a) => [a.user, a.action, a.target])).toEqual([
      ['oncall', 'dead-letters.delete', `queue 'work.dlq' in vhost '/'`],
      ['oncall', 'dead-letters.requeue', `queue 'work.dlq' in vhost '/'`],
    ]);
    await expect(api.deadLetters.requeue({ vhost: '/', name: 'work.dlq', selection: { seqs: [] } })).rejects.toThrow(/Select at least one message/);
    await expect(api.deadLetters.requeue({ vhost: '/', name: 'work.dlq', selection: { filter: {} }, to: 'work.dlq' })).rejects.toThrow(
      /other than the dead-letter queue/,
    );
  });
});
