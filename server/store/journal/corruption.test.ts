import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Journal } from './journal';
import { contents, openJournal, persistentMessage, reopen, segmentFiles, tempJournalDir } from './test-support';

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
  bytes[at + 3] ^= 0xff;
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
    const [first] = segmentFiles(dir);
    const size = statSync(join(dir, first)).size;
    truncateSync(join(dir, first), size - 40);
    const { journal: next, recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 9]) });
    expect(recovery.skipped).toHaveLength(1);
    const [skip] = recovery.skipped;
    expect(skip.segment).toBe(first);
    expect(skip.reason).toBe('torn');
    expect(skip.offset + skip.bytes).toBe(size - 40);
    expect(skip.bytes).toBeGreaterThan(0);
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
    const [name] = segmentFiles(dir);
    const bytes = readFileSync(join(dir, name));
    writeFileSync(join(dir, name), Buffer.concat([bytes, Buffer.from([0, 0, 0])]));
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 3]) });
    expect(recovery.skipped).toMatchObject([{ segment: name, offset: bytes.length, bytes: 3, reason: 'torn' }]);
  });

  it('detects flipped bytes by their CRC, skips the rest of that segment and serves the next segments', async () => {
    const dir = tempJournalDir();
    let { journal } = openJournal(dir);
    enqueueRange(journal, 1, 10);
    ({ journal } = await reopen(journal, dir));
    enqueueRange(journal, 11, 20);
    await journal.close();
    const [first, second] = segmentFiles(dir);
    flipByteInBody(dir, first, 5);
    const { recovery } = openJournal(dir);
    // 5 is lost with its record; 6-10 were behind it in the damaged segment.
    expect(contents(recovery)).toEqual({ '/:q': expected([1, 4], [11, 20]) });
    expect(recovery.skipped).toHaveLength(1);
    expect(recovery.skipped[0]).toMatchObject({ segment: first, reason: 'crc' });
    expect(recovery.skipped[0].offset + recovery.skipped[0].bytes).toBe(statSync(join(dir, first)).size);
    expect(second > first).toBe(true);
  });

  it('drops queue entries whose message body was lost, and counts them', async () => {
    const dir = tempJournalDir();
    const first = openJournal(dir);
    first.journal.enqueue('/', 'a', 1, persistentMessage(1, 100));
    const { journal, recovery: recovered } = await reopen(first.journal, dir);
    // The recovered message, still held by queue a, also goes to queue b: the
    // new segment gets only an ENQUEUE naming it.
    journal.enqueue('/', 'b', 1, recovered.queues[0].messages[0].message);
    await journal.close();
    flipByteInBody(dir, segmentFiles(dir)[0], 1);
    const { recovery } = openJournal(dir);
    expect(recovery.queues).toEqual([]);
    expect(recovery.orphanedEntries).toBe(1);
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
});
