import { readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { renderMetrics } from '../../server/http/metrics';
import { ProcessSampler } from '../../server/metrics/process-sampler';
import { RecordType } from '../../server/store/journal/format';
import { recordSpans } from '../../server/store/journal/test-support';
import type { Services } from '../../server/services';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// Damage on disk: a byte flipped in the middle of a journal segment, and a
// record torn at the end of the last one (a crash mid-write). The broker
// starts, serves every confirmed message but the damaged one, in order, and
// says what it lost where the operator looks: the log, the console overview
// and /metrics. The torn tail is normal and reported as nothing lost.

const SEGMENT_BYTES = 64 * 1024;
const MESSAGES = 600;
const body = (i: number) => Buffer.from(`message ${i} `.padEnd(500, '.'));

const cleanup = cleanupAfterEach();

describe('a damaged journal', () => {
  it('loses only the damaged message, serves the rest in order, and names what it lost on the overview and /metrics', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir, { segmentBytes: SEGMENT_BYTES });
    const conn = await cleanup.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('q', { durable: true });
    for (let i = 0; i < MESSAGES; i++) {
      ch.sendToQueue('q', body(i), { persistent: true });
      if (i % 50 === 49) await ch.waitForConfirms(); // small commits, so segments rotate often
    }
    await ch.waitForConfirms();
    await conn.close();
    await first.close();

    const dir = join(data.dir, 'journal');
    const segments = readdirSync(dir)
      .filter((name) => name.endsWith('.seg') && statSync(join(dir, name)).size > 8)
      .sort();
    expect(segments.length).toBeGreaterThanOrEqual(4);
    // A byte in the middle of a middle segment: in a MESSAGE record (most of the bytes) or an ENQUEUE.
    const middle = join(dir, segments[1]!);
    const bytes = readFileSync(middle);
    const at = Math.floor(bytes.length / 2);
    const hit = recordSpans(bytes).find((s) => s.start <= at && at < s.end)!;
    expect([RecordType.Message, RecordType.Enqueue]).toContain(hit.type);
    const damaged = hit.messageId - 1; // the first broker numbered the messages from 1, in publishing order
    bytes[at]! ^= 0xff;
    writeFileSync(middle, bytes);
    // The last segment ends in half a record, as a crash mid-write leaves it.
    const last = join(dir, segments[segments.length - 1]!);
    appendFileSync(last, readFileSync(last).subarray(8, 300));

    const second = await openInProcess(data.dir, { segmentBytes: SEGMENT_BYTES });
    cleanup.push(() => second.close());
    const conn2 = await cleanup.connect(second.url);
    const sub = await conn2.createChannel();
    const got: number[] = [];
    await sub.consume('q', (msg) => {
      if (!msg) return;
      const i = Number(/^message (\d+) /.exec(msg.content.toString())![1]);
      expect(msg.content.equals(body(i))).toBe(true);
      got.push(i);
      sub.ack(msg);
    });
    const expected = [...Array(MESSAGES).keys()].filter((i) => i !== damaged);
    await waitFor(() => got.length >= expected.length, 5000, `${expected.length} messages`);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(expected);

    // What was lost, in the log, on the overview and on /metrics: exactly the hit record.
    const damage = second.journalDamage!;
    expect(damage).toMatchObject({ bytes: hit.end - hit.start, regions: 1, records: 1, lostMessages: 1 });
    expect(damage.summary).toEqual([
      `journal recovery skipped ${damage.bytes} damaged bytes in segment ${segments[1]} at offset ${hit.start} (crc: checksum mismatch, 1 record)`,
      hit.type === RecordType.Message
        ? `lost 1 message whose record was damaged: seq ${damaged + 1} of queue 'q' in vhost '/' (message ${hit.messageId})`
        : `lost 1 message whose queue entry was damaged: message ${hit.messageId}`,
    ]);
    expect(second.logs).toContain(`journal: ${damage.summary[0]}`);
    expect(second.logs.filter((l) => l.startsWith('journal: skipped')).map((l) => /\((\w+):/.exec(l)![1])).toEqual(['crc', 'torn']);

    const services = {
      broker: second.broker,
      journalDamage: damage,
      startedAt: Date.now(),
      alarms: () => [],
      memory: () => null,
      processFaults: { unhandledRejections: 0 },
      db: { provider: 'sqlite' },
      listeners: { amqp: '', http: '' },
      sampler: new ProcessSampler(),
      nodeName: second.broker.nodeName,
      version: 'test',
    };
    const api = appRouter.createCaller({
      services: services as unknown as Services,
      user: { name: 'oncall', tags: ['administrator'] },
      peerAddress: '127.0.0.1',
      setCookie: () => {},
    });
    expect((await api.system.info()).journalDamage?.summary).toEqual(damage.summary);
    const metrics = await renderMetrics(services as unknown as Services);
    expect(metrics).toContain(`warren_journal_damaged_bytes ${damage.bytes}\n`);
    expect(metrics).toContain('warren_journal_damaged_records 1\n');
    expect(metrics).toContain('warren_journal_lost_messages 1\n');

    // And it goes on taking messages.
    const pub = await conn2.createConfirmChannel();
    pub.sendToQueue('q', body(MESSAGES), { persistent: true });
    await pub.waitForConfirms();
    await waitFor(() => got[got.length - 1] === MESSAGES, 2000, 'the new message');
  });
});
