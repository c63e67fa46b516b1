import { request } from 'node:http';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentAudit } from '../../server/api/audit';
import { startTestHttp, type TestHttp } from '../../server/http/test-support';
import { waitFor } from '../amqp/helpers';

// Export and import of messages as JSON lines over HTTP, as the console and
// scripts call them: a real server, messages published and consumed by
// amqplib, the audit trail in SQLite.

let http: TestHttp;
let conn: amqp.ChannelModel;

beforeAll(async () => {
  http = await startTestHttp({}, { amqp: true });
  conn = await amqp.connect(http.amqpUrl.replace('amqp://', 'amqp://guest:guest@'));
});

afterAll(async () => {
  await conn?.close();
  await http?.close();
});

const path = (p: string) => `${http.url}/api/transfer/${p}`;
const asGuest = () => ({ cookie: http.cookie });

async function exportLines(queue: string, query = ''): Promise<string[]> {
  const res = await fetch(path(`export/%2F/${encodeURIComponent(queue)}${query}`), { headers: asGuest() });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${queue}.jsonl"`);
  return (await res.text()).split('\n').filter((l) => l !== '');
}

function importLines(into: string, body: string, query = '') {
  return fetch(path(`import/%2F/${into}${query}`), { method: 'POST', headers: { ...asGuest(), 'content-type': 'application/x-ndjson' }, body });
}

async function depth(ch: amqp.Channel, queue: string): Promise<number> {
  return (await ch.checkQueue(queue)).messageCount;
}

async function takeAll(ch: amqp.Channel, queue: string, count: number): Promise<amqp.GetMessage[]> {
  const got: amqp.GetMessage[] = [];
  await waitFor(async () => (await depth(ch, queue)) === count, 2000, `${count} messages in ${queue}`);
  for (let i = 0; i < count; i++) {
    const m = await ch.get(queue, { noAck: true });
    if (m) got.push(m);
  }
  return got;
}

describe('export and import of messages', () => {
  it('round-trips text and binary messages with their properties and headers, leaving the source as it was', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('xfer.src');
    await ch.assertQueue('xfer.dst');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]);
    ch.sendToQueue('xfer.src', Buffer.from('{"order":42,"note":"für dich"}'), {
      contentType: 'application/json',
      messageId: 'm-1',
      correlationId: 'c-1',
      timestamp: 1767225600,
      priority: 3,
      persistent: true,
      headers: { tenant: 'acme', attempt: 2, raw: Buffer.from([0, 1, 2, 255]), nested: { a: [1, 'b'] } },
    });
    ch.sendToQueue('xfer.src', binary, { contentType: 'application/octet-stream', messageId: 'm-2' });
    await ch.waitForConfirms();

    const lines = await exportLines('xfer.src');
    expect(lines).toHaveLength(2);
    const [text, bin] = lines.map((l) => JSON.parse(l));
    expect(text).toMatchObject({
      routingKey: 'xfer.src',
      encoding: 'utf8',
      body: '{"order":42,"note":"für dich"}',
      properties: { contentType: 'application/json', messageId: 'm-1', timestamp: 1767225600, priority: 3, deliveryMode: 2 },
      headers: { tenant: 'acme', attempt: 2, raw: { $bytes: Buffer.from([0, 1, 2, 255]).toString('base64') } },
    });
    expect(bin).toMatchObject({ encoding: 'base64', body: binary.toString('base64') });
    expect(await depth(ch, 'xfer.src')).toBe(2);

    const res = await importLines('queue/xfer.dst', lines.join('\n'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ imported: 2, refused: 0, lastLine: 2, skippedCount: 0, state: 'finished' });

    const [first, second] = await takeAll(ch, 'xfer.dst', 2);
    expect(first!.content.toString()).toBe('{"order":42,"note":"für dich"}');
    expect(first!.properties).toMatchObject({ contentType: 'application/json', messageId: 'm-1', correlationId: 'c-1', timestamp: 1767225600, priority: 3 });
    expect(first!.properties.headers).toMatchObject({ tenant: 'acme', attempt: 2, nested: { a: [1, 'b'] } });
    expect(Buffer.from(first!.properties.headers!.raw as Buffer)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(second!.content).toEqual(binary);
    expect(second!.properties.messageId).toBe('m-2');
    expect(await depth(ch, 'xfer.src')).toBe(2);

    const audit = await recentAudit(http.services, 10);
    expect(audit.map((a) => `${a.action} ${a.target}`)).toEqual(
      expect.arrayContaining(["messages.export queue 'xfer.src' in vhost '/'", "messages.import queue 'xfer.dst' in vhost '/'"]),
    );
    await ch.close();
  });

  it('exports a search result or chosen messages, and imports through an exchange by routing key', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('xfer.orders');
    await ch.assertExchange('xfer.topic', 'topic');
    await ch.assertQueue('xfer.eu');
    await ch.bindQueue('xfer.eu', 'xfer.topic', 'eu.#');
    for (let i = 1; i <= 20; i++) ch.sendToQueue('xfer.orders', Buffer.from(JSON.stringify({ id: i, region: i % 2 ? 'eu' : 'us' })));
    await ch.waitForConfirms();

    const found = await exportLines('xfer.orders', `?query=${encodeURIComponent(JSON.stringify({ json: ['$.id > 17'] }))}`);
    expect(found.map((l) => JSON.parse(JSON.parse(l).body).id)).toEqual([18, 19, 20]);
    const chosen = await exportLines('xfer.orders', '?seqs=2,5');
    expect(chosen.map((l) => JSON.parse(JSON.parse(l).body).id)).toEqual([2, 5]);

    const file = [
      JSON.stringify({ routingKey: 'eu.new', body: 'one' }),
      JSON.stringify({ routingKey: 'us.new', body: 'nowhere' }),
      JSON.stringify({ routingKey: 'eu.paid', body: 'dHdv', encoding: 'base64' }),
    ].join('\n');
    const res = await importLines('exchange/xfer.topic', `${file}\n`);
    expect(await res.json()).toMatchObject({ imported: 2, unroutable: 1, lastLine: 3 });
    const got = await takeAll(ch, 'xfer.eu', 2);
    expect(got.map((m) => `${m.fields.routingKey}:${m.content}`)).toEqual(['eu.new:one', 'eu.paid:two']);
    await ch.close();
  });

  it('stops at a bad line, saying which, and imports nothing past it unless told to skip', async () => {
    const ch = await conn.createChannel();
    await ch.assertQueue('xfer.bad');
    const file = ['{"body":"1"}', '{"body":"2"}', '{"body":"3"', '{"body":"4"}', '{"body":5}', '{"body":"6"}'].join('\n');

    const stopped = await importLines('queue/xfer.bad', file);
    expect(stopped.status).toBe(400);
    const report = (await stopped.json()) as { reason: string; imported: number; badLine: { line: number } };
    expect(report.reason).toMatch(/^line 3: not JSON .*The import stopped there: the 2 message\(s\) before it were imported, nothing after it\./);
    expect(report.reason).toMatch(/skipBadLines=true/);
    expect(report).toMatchObject({ imported: 2, badLine: { line: 3 } });
    expect((await takeAll(ch, 'xfer.bad', 2)).map((m) => m.content.toString())).toEqual(['1', '2']);

    // A later part of a file numbers its lines from where the last part ended.
    const later = await importLines('queue/xfer.bad', '{"body":"7"}\n{"nope":1}', '?firstLine=101');
    expect(((await later.json()) as { reason: string }).reason).toMatch(/^line 102: unknown field "nope"/);
    await takeAll(ch, 'xfer.bad', 1);

    const skipping = await importLines('queue/xfer.bad', file, '?skipBadLines=true');
    expect(skipping.status).toBe(200);
    expect(await skipping.json()).toMatchObject({
      imported: 4,
      lastLine: 6,
      skippedCount: 2,
      skipped: [
        { line: 3, error: expect.stringMatching(/^not JSON/) },
        { line: 5, error: '"body" is missing or not a string' },
      ],
    });
    expect((await takeAll(ch, 'xfer.bad', 4)).map((m) => m.content.toString())).toEqual(['1', '2', '4', '6']);
    await ch.close();
  });

  it('streams: an export waits for its reader, an import stores lines before its body has all arrived', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('xfer.big');
    const body = Buffer.alloc(4096, 'x');
    for (let i = 0; i < 5000; i++) ch.sendToQueue('xfer.big', body);
    await ch.waitForConfirms();

    const res = await fetch(path('export/%2F/xfer.big'), { headers: asGuest() });
    const reader = res.body!.getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exporting = () => http.services.broker.operations.list().find((o) => o.kind === 'export' && o.queue === 'xfer.big')!;
    // 20 MB to send, and the reader took one chunk: the export waits with most of it unread.
    expect(exporting()).toMatchObject({ state: 'running', total: 5000 });
    expect(exporting().done).toBeLessThan(5000);
    await reader.cancel();
    await waitFor(() => exporting().state !== 'running', 2000, 'the export to end once its reader left');

    await ch.assertQueue('xfer.trickle');
    const first = Array.from({ length: 10 }, (_, i) => JSON.stringify({ body: `m${i}` })).join('\n');
    const rest = `\n${JSON.stringify({ body: 'last' })}\n`;
    const upload = request(path('import/%2F/queue/xfer.trickle'), {
      method: 'POST',
      headers: { ...asGuest(), 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(first) + Buffer.byteLength(rest) },
    });
    const answered = new Promise<string>((resolve, reject) => {
      upload.on('response', (r) => {
        let text = '';
        r.on('data', (d) => (text += d));
        r.on('end', () => resolve(text));
      });
      upload.on('error', reject);
    });
    upload.write(`${first}\n`);
    await waitFor(async () => (await depth(ch, 'xfer.trickle')) === 10, 2000, 'the first 10 lines imported while the body is still open');
    upload.end(rest.slice(1));
    expect(JSON.parse(await answered)).toMatchObject({ imported: 11, lastLine: 11 });
    await ch.close();
  });

  it('refuses what a person got wrong with what to do', async () => {
    const missing = await fetch(path('export/%2F/no.such.queue'), { headers: asGuest() });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { reason: string }).reason).toMatch(/no queue 'no.such.queue' in vhost '\/'/);
    const badQuery = await fetch(path('export/%2F/xfer.src?query=%7Bnope'), { headers: asGuest() });
    expect(((await badQuery.json()) as { reason: string }).reason).toMatch(/^query is not JSON/);
    const anonymous = await fetch(path('export/%2F/xfer.src'));
    expect(anonymous.status).toBe(401);
    // Scripts sign in with basic auth, as on the management API.
    const script = await fetch(path('export/%2F/xfer.src'), { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
    expect(script.status).toBe(200);
    expect((await script.text()).split('\n').filter(Boolean)).toHaveLength(2);
    const wrongMethod = await fetch(path('export/%2F/xfer.src'), { method: 'POST', headers: asGuest(), body: '' });
    expect(wrongMethod.status).toBe(405);

    await http.services.users.create('watcher', { password: 'watcher-pw' }, ['monitoring']);
    const watcher = `Basic ${Buffer.from('watcher:watcher-pw').toString('base64')}`;
    expect((await fetch(path('export/%2F/xfer.src'), { headers: { authorization: watcher } })).status).toBe(200);
    const refused = await fetch(path('import/%2F/queue/xfer.dst'), { method: 'POST', headers: { authorization: watcher }, body: '{"body":"x"}' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { reason: string }).reason).toMatch(/may only look/);
  });

  it('takes an upload up to the import limit, and says which setting raises it', async () => {
    const small = await startTestHttp({ WARREN_IMPORT_MAX_BODY: '1KiB' });
    try {
      small.services.broker.declareQueue('/', 'xfer.small');
      const send = (body: string) =>
        fetch(`${small.url}/api/transfer/import/%2F/queue/xfer.small`, { method: 'POST', headers: { cookie: small.cookie }, body });
      expect(await (await send('{"body":"fits"}')).json()).toMatchObject({ imported: 1 });
      const tooLarge = await send(`{"body":"${'x'.repeat(2000)}"}`);
      expect(tooLarge.status).toBe(413);
      expect(((await tooLarge.json()) as { reason: string }).reason).toMatch(
        /over 1024 bytes, the limit set by WARREN_IMPORT_MAX_BODY \(or --import-max-body\)/,
      );
    } finally {
      await small.close();
    }
  });
});
