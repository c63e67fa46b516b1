import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../amqp/codec/seeded-random';
import { Writer } from '../../amqp/codec/writer';
import { Message } from '../../broker/message';
import { RECORD_FRAME_BYTES, RecordType, SEGMENT_HEADER_BYTES, segmentHeader } from './format';
import type { Journal } from './journal';
import { LiveIndex } from './live-index';
import { writeEnqueue } from './record-codec';
import { replay } from './replay';
import { scanSegment } from './segment-scan';
import { contents, flushed, listed, openJournal, persistentMessage, recordSpans, reopen, segmentFiles, tempJournalDir } from './test-support';

function enqueueRange(journal: Journal, from: number, to: number): void {
  for (let id = from; id <= to; id++) journal.enqueue('/', 'q', id, persistentMessage(id, 100));
}

function expected(...ranges: [number, number][]): [number, string][] {
  const out: [number, string][] = [];
  for (const [from, to] of ranges) for (let id = from; id <= to; id++) out.push([id, `message ${id}`]);
  return out;
}

/** Flips one byte inside the body of message `id` in segment file `name`. */
function flipByteInBody(dir: string, name: string, id: number): number {
  const path = join(dir, name);
  const bytes = readFileSync(path);
  const at = bytes.indexOf(`message ${id}.`);
  expect(at).toBeGreaterThan(0);
  bytes[at + 3]! ^= 0xff;
  writeFileSync(path, bytes);
  return at;
}

describe('journal: damaged files', () => {
  it('recovers everything before a record torn at the end of the last segment, and says what it skipped', async () => {
    const dir = tempJournalDir();
    let { journal } = openJournal(dir);
    enqueueRange(journal, 1, 10);
    ({ journal } = await reopen(journal, dir));
    await journal.close();
    // The second open made an empty segment; tear the records of the first.
    const first = segmentFiles(dir)[0]!;
    const size = statSync(join(dir, first)).size;
    truncateSync(join(dir, first), size - 40);
    const { journal: next, recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 9]) });
    expect(recovery.skipped).toHaveLength(1);
    const skip = recovery.skipped[0]!;
    expect(skip.segment).toBe(first);
    expect(skip.reason).toBe('torn');
    expect(skip.offset + skip.bytes).toBe(size - 40);
    expect(skip.bytes).toBeGreaterThan(0);
    // A torn tail is no loss: the message cut short was never confirmed.
    expect(recovery.lostEntries).toEqual([]);
    expect(recovery.lostMessageIds).toEqual([]);
    // The journal goes on: new records land in a new segment, after the torn one.
    enqueueRange(next, 11, 12);
    const { recovery: again } = await reopen(next, dir);
    expect(contents(again)).toEqual({ '/:q': expected([1, 9], [11, 12]) });
  });

  it('treats a record cut inside its frame as torn', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    enqueueRange(journal, 1, 3);
    await journal.close();
    const name = segmentFiles(dir)[0]!;
    const bytes = readFileSync(join(dir, name));
    writeFileSync(join(dir, name), Buffer.concat([bytes, Buffer.from([0, 0, 0])]));
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 3]) });
    expect(recovery.skipped).toMatchObject([{ segment: name, offset: bytes.length, bytes: 3, reason: 'torn' }]);
  });

  it('treats zeros after the last record (a file extended but never written) as torn', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    enqueueRange(journal, 1, 3);
    await journal.close();
    const name = segmentFiles(dir)[0]!;
    const bytes = readFileSync(join(dir, name));
    writeFileSync(join(dir, name), Buffer.concat([bytes, Buffer.alloc(4096)]));
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 3]) });
    expect(recovery.skipped).toMatchObject([{ segment: name, offset: bytes.length, bytes: 4096, reason: 'torn' }]);
  });

  it('skips just the record whose bytes were flipped, keeps the rest of its segment, and names the message lost', async () => {
    const dir = tempJournalDir();
    let { journal } = openJournal(dir);
    enqueueRange(journal, 1, 10);
    ({ journal } = await reopen(journal, dir));
    enqueueRange(journal, 11, 20);
    await journal.close();
    const first = segmentFiles(dir)[0]!;
    flipByteInBody(dir, first, 5);
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 4], [6, 20]) });
    expect(recovery.skipped).toHaveLength(1);
    const skip = recovery.skipped[0]!;
    expect(skip).toMatchObject({ segment: first, reason: 'crc', records: 1 });
    // Exactly message 5's MESSAGE record: its ENQUEUE follows at once.
    const spans = recordSpans(readFileSync(join(dir, first)));
    const damaged = spans.find((s) => s.type === RecordType.Message && s.messageId === 5)!;
    expect([skip.offset, skip.bytes]).toEqual([damaged.start, damaged.end - damaged.start]);
    expect(recovery.lostEntries).toEqual([{ vhost: '/', queue: 'q', seq: 5, messageId: 5 }]);
  });

  it('reads a segment larger than its read window: records across its edges, one larger than it, damage and a tear further on', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    // About 12 MB in one segment: three 4 MiB read windows, plus a 5 MiB body that fits none.
    for (let id = 1; id <= 12_000; id++) journal.enqueue('/', 'q', id, persistentMessage(id, id === 3000 ? 5 << 20 : 1000));
    await journal.close();
    const name = segmentFiles(dir)[0]!;
    expect(segmentFiles(dir)).toHaveLength(1);
    flipByteInBody(dir, name, 9000);
    const spans = recordSpans(readFileSync(join(dir, name)));
    const damaged = spans.find((s) => s.type === RecordType.Message && s.messageId === 9000)!;
    expect(damaged.start).toBeGreaterThan(8 << 20);
    const size = statSync(join(dir, name)).size;
    truncateSync(join(dir, name), size - 500); // into message 12000's ENQUEUE and MESSAGE records
    const { recovery } = openJournal(dir);
    const recovered = listed(recovery.queues[0]);
    expect(recovered.map(({ seq }) => seq)).toEqual(expected([1, 8999], [9001, 11_999]).map(([seq]) => seq));
    expect(recovered[2999]!.message.body.equals(persistentMessage(3000, 5 << 20).body)).toBe(true);
    expect(recovered[11_997]!.message.body.toString()).toMatch(/^message 11999\.+$/);
    expect(recovery.skipped).toMatchObject([
      { segment: name, reason: 'crc', records: 1, offset: damaged.start, bytes: damaged.end - damaged.start },
      { segment: name, reason: 'torn' },
    ]);
    expect(recovery.skipped[1]!.offset + recovery.skipped[1]!.bytes).toBe(size - 500);
    expect(recovery.lostEntries).toEqual([{ vhost: '/', queue: 'q', seq: 9000, messageId: 9000 }]);
  });

  it('finds the next record by scanning when a length field was damaged', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    enqueueRange(journal, 1, 10);
    await journal.close();
    const name = segmentFiles(dir)[0]!;
    const bytes = readFileSync(join(dir, name));
    const message5 = recordSpans(bytes).find((s) => s.type === RecordType.Message && s.messageId === 5)!;
    bytes[message5.start + 2]! ^= 0x01; // its length grows by 256 bytes: into the records after it
    writeFileSync(join(dir, name), bytes);
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 4], [6, 10]) });
    expect(recovery.skipped).toMatchObject([{ offset: message5.start, bytes: message5.end - message5.start }]);
    expect(recovery.skipped[0]!.records).toBeUndefined(); // a damaged length: how many records were there is not known
  });

  it('names a message whose queue entry was damaged right after its record', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    enqueueRange(journal, 1, 5);
    await journal.close();
    const name = segmentFiles(dir)[0]!;
    const bytes = readFileSync(join(dir, name));
    const enqueue3 = recordSpans(bytes).find((s) => s.type === RecordType.Enqueue && s.messageId === 3)!;
    bytes[enqueue3.end - 1]! ^= 0x40;
    writeFileSync(join(dir, name), bytes);
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': [...expected([1, 2]), ...expected([4, 5])] });
    expect(recovery.lostMessageIds).toEqual([3]);
    expect(recovery.lostEntries).toEqual([]);
  });

  it('does not take bytes shaped like a record for one unless their CRC matches', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    // Message 2's body holds an ENQUEUE frame for seq 99 of queue ref 1 ('q') with a wrong CRC.
    const fake = new Writer(64);
    const length = writeEnqueue(fake, 1, 99, 1);
    const frame = Buffer.from(fake.take().subarray(0, length));
    frame[7]! ^= 0xff;
    journal.enqueue('/', 'q', 1, persistentMessage(1, 100));
    journal.enqueue('/', 'q', 2, new Message(2, 'ex', 'k', { deliveryMode: 2 }, Buffer.concat([Buffer.from('message 2.'), frame, Buffer.alloc(50, '.')])));
    journal.enqueue('/', 'q', 3, persistentMessage(3, 100));
    await journal.close();
    const name = segmentFiles(dir)[0]!;
    const bytes = readFileSync(join(dir, name));
    const message2 = recordSpans(bytes).find((s) => s.type === RecordType.Message && s.messageId === 2)!;
    bytes[message2.start]! ^= 0x10; // a length past the end of the file: the scan goes through message 2's body
    writeFileSync(join(dir, name), bytes);
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({
      '/:q': [
        [1, 'message 1'],
        [3, 'message 3'],
      ],
    });
    expect(recovery.skipped).toMatchObject([{ offset: message2.start, bytes: message2.end - message2.start, reason: 'invalid' }]);
  });

  it('gives up on bytes crafted to look like large records at every offset instead of checksumming each', () => {
    // Every 64 bytes a MESSAGE frame whose lengths all add up and reach the end of the file, with a wrong CRC.
    const size = 4 * 1024 * 1024;
    const buf = Buffer.concat([segmentHeader(), Buffer.alloc(size)]);
    for (let at = SEGMENT_HEADER_BYTES; at + 64 <= buf.length; at += 64) {
      const length = buf.length - at - RECORD_FRAME_BYTES;
      buf.writeUInt32BE(length, at);
      buf[at + 8] = RecordType.Message;
      // id 0, exchange '', routing key '', properties: length 2, no flags; then the body's length.
      buf.writeUInt32BE(2, at + 8 + 1 + 8 + 1 + 1);
      buf.writeUInt32BE(length - (1 + 8 + 1 + 1 + 4 + 2 + 4), at + 8 + 1 + 8 + 1 + 1 + 4 + 2);
    }
    buf.writeUInt32BE(0, SEGMENT_HEADER_BYTES); // the first one's length damaged: the scan starts
    const started = performance.now();
    const { skipped } = scanSegment(buf, { queueName() {}, message() {}, enqueue() {}, remove() {}, move() {}, dropQueue() {}, delivered() {} });
    expect(performance.now() - started).toBeLessThan(2000); // checksumming every candidate: about 128 GB
    expect(skipped).toMatchObject([
      { offset: SEGMENT_HEADER_BYTES, bytes: size, reason: 'invalid', detail: expect.stringMatching(/too many offsets, not scanned$/) },
    ]);
  });

  it('drops queue entries whose message body was lost, and names them', async () => {
    const dir = tempJournalDir();
    const first = openJournal(dir);
    first.journal.enqueue('/', 'a', 1, persistentMessage(1, 100));
    const { journal, recovery: recovered } = await reopen(first.journal, dir);
    // The recovered message, still held by queue a, also goes to queue b: the
    // new segment gets only an ENQUEUE naming it.
    journal.enqueue('/', 'b', 1, listed(recovered.queues[0])[0]!.message);
    await journal.close();
    flipByteInBody(dir, segmentFiles(dir)[0]!, 1);
    const { recovery } = openJournal(dir);
    expect(recovery.queues).toEqual([]);
    expect(recovery.lostEntries).toEqual([
      { vhost: '/', queue: 'a', seq: 1, messageId: 1 },
      { vhost: '/', queue: 'b', seq: 1, messageId: 1 },
    ]);
    expect(recovery.skipped).toMatchObject([{ reason: 'crc' }]);
  });

  it('skips a file that is not a journal segment', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    enqueueRange(journal, 1, 2);
    await journal.close();
    writeFileSync(join(dir, '00000099.seg'), 'not a segment');
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 2]) });
    expect(recovery.skipped).toMatchObject([{ segment: '00000099.seg', reason: 'header', bytes: 13 }]);
  });

  it('loses at most the messages whose records were hit when bytes are flipped at random positions', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir, { segmentBytes: 8 * 1024 });
    const random = new SeededRandom(2026);
    const MESSAGES = 300;
    const removed = new Set<number>();
    for (let id = 1; id <= MESSAGES; id++) {
      journal.enqueue('/', 'q', id, persistentMessage(id, random.int(20, 400)));
      if (id % 7 === 0) {
        journal.remove('/', 'q', id - 3);
        removed.add(id - 3);
      }
      if (id % 20 === 0) await flushed(journal); // commits rotate the small segments
    }
    await journal.close();
    const segments = segmentFiles(dir)
      .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }))
      .filter((s) => s.bytes.length > SEGMENT_HEADER_BYTES);
    expect(segments.length).toBeGreaterThan(3);
    const live = new Set([...Array(MESSAGES).keys()].map((i) => i + 1).filter((id) => !removed.has(id)));

    const scratch = join(dir, '..', 'damaged');
    const TRIALS = 100;
    for (let trial = 0; trial < TRIALS; trial++) {
      mkdirSync(scratch, { recursive: true });
      const mayLose = new Set<number>();
      const mayReturn = new Set<number>();
      const flipped: { segment: string; at: number }[] = [];
      for (const { name, bytes } of segments) writeFileSync(join(scratch, name), bytes);
      for (let flip = random.int(1, 3); flip > 0; flip--) {
        const { name, bytes } = random.pick(segments);
        const at = random.int(SEGMENT_HEADER_BYTES, bytes.length - 1);
        const damaged = readFileSync(join(scratch, name));
        damaged[at]! ^= random.int(1, 255);
        writeFileSync(join(scratch, name), damaged);
        flipped.push({ segment: name, at });
        const spans = recordSpans(bytes);
        const hit = spans.find((s) => s.start <= at && at < s.end)!;
        if (hit.type === RecordType.QueueName) {
          // Every record naming the queue in this segment is lost with its name.
          for (const s of spans) if (s.type === RecordType.Enqueue) mayLose.add(s.messageId);
          for (const s of spans) if (s.type === RecordType.Remove) mayReturn.add(s.messageId);
        }
        if (hit.type === RecordType.Message || hit.type === RecordType.Enqueue) mayLose.add(hit.messageId);
        if (hit.type === RecordType.Remove) mayReturn.add(hit.messageId);
      }
      const recovery = replay(scratch, new LiveIndex());
      const recovered = new Map(listed(recovery.queues[0]).map(({ seq, message }) => [seq, message.body.toString()]));
      const lost = [...live].filter((id) => !recovered.has(id) && !mayLose.has(id));
      const unexpected = [...recovered.keys()].filter((id) => !live.has(id) && !mayReturn.has(id));
      expect({ trial, flipped, lost, unexpected }).toEqual({ trial, flipped, lost: [], unexpected: [] });
      for (const [id, body] of recovered) expect(body).toMatch(new RegExp(`^message ${id}\\.*$`));
      // Every flipped byte lies in a region the recovery reports as damaged,
      // or as torn when the damage runs to the end of the file (a last
      // record whose length was hit looks like a write cut short).
      for (const { segment, at } of flipped) {
        const region = recovery.skipped.find((s) => s.segment === segment && s.offset <= at && at < s.offset + s.bytes);
        const size = segments.find((s) => s.name === segment)!.bytes.length;
        const reported = region && (region.reason !== 'torn' || region.offset + region.bytes === size);
        expect({ trial, segment, at, reported }).toEqual({ trial, segment, at, reported: true });
      }
    }
  });
});
