import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Journal } from './journal';
import { contents, flushed, openJournal, persistentMessage, reopen, segmentFiles, tempJournalDir } from './test-support';

/** Flushes until `done` holds: deleting a segment waits for a sync, compaction for a few slices. */
async function flushUntil(journal: Journal, done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !done(); attempt++) {
    await flushed(journal);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(done()).toBe(true);
}

function diskBytes(dir: string): number {
  return segmentFiles(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

const SEGMENT = 16 * 1024;

describe('journal: segments and space', () => {
  it('rotates to a new segment past the segment size', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir, { segmentBytes: SEGMENT });
    for (let id = 1; id <= 200; id++) {
      journal.enqueue('/', 'q', id, persistentMessage(id, 300));
      if (id % 20 === 0) await flushed(journal);
    }
    await flushed(journal);
    const files = segmentFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    // Rotation happens at a commit, so a segment overshoots by at most one commit's records.
    for (const name of files) expect(statSync(join(dir, name)).size).toBeLessThan(SEGMENT + 20 * 400);
    const { recovery } = await reopen(journal, dir, { segmentBytes: SEGMENT });
    expect(recovery.messages).toBe(200);
  });

  it('deletes segments whose messages are all settled, oldest first, never the current one', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir, { segmentBytes: SEGMENT });
    for (let id = 1; id <= 200; id++) {
      journal.enqueue('/', 'q', id, persistentMessage(id, 300));
      if (id % 20 === 0) await flushed(journal);
    }
    await flushed(journal);
    const before = segmentFiles(dir);
    for (let id = 1; id <= 200; id++) journal.remove('/', 'q', id);
    await flushUntil(journal, () => segmentFiles(dir).length === 1);
    // The one left is the current segment: the newest before, or one started since.
    expect(segmentFiles(dir)[0]! >= before[before.length - 1]!).toBe(true);
    expect(journal.stats().segmentsDeleted).toBe(before.length - 1);
    expect(journal.stats().liveBytes).toBe(0);
    const { recovery } = await reopen(journal, dir, { segmentBytes: SEGMENT });
    expect(recovery.queues).toEqual([]);
  });

  it('keeps a segment that still holds a live message, and the segments after it', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir, { segmentBytes: SEGMENT, compaction: { factor: 1000, slackBytes: 1e12 } });
    for (let id = 1; id <= 200; id++) {
      journal.enqueue('/', 'q', id, persistentMessage(id, 300));
      if (id % 20 === 0) await flushed(journal);
    }
    await flushed(journal);
    const segments = segmentFiles(dir).length;
    for (let id = 2; id <= 200; id++) journal.remove('/', 'q', id);
    await flushed(journal);
    await flushed(journal);
    // Message 1 pins the oldest segment; the later ones hold the REMOVEs that must outlive it.
    expect(segmentFiles(dir).length).toBeGreaterThanOrEqual(segments);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({ '/:q': [[1, 'message 1']] });
  });

  it('compacts old segments so that disk use follows the live messages, keeping exactly those', async () => {
    const dir = tempJournalDir();
    const options = { segmentBytes: SEGMENT, compaction: { factor: 2, slackBytes: 2 * SEGMENT } };
    const { journal } = openJournal(dir, options);
    const kept: [number, string][] = [];
    for (let id = 1; id <= 1000; id++) {
      // Every 25th message stays, fanned out to a second queue every 50th.
      const message = persistentMessage(id, 300);
      journal.enqueue('/', 'work', id, message);
      if (id % 50 === 0) journal.enqueue('/', 'audit', id, message);
      if (id % 25 === 0) kept.push([id, `message ${id}`]);
      else journal.remove('/', 'work', id);
      if (id % 20 === 0) await flushed(journal);
    }
    await flushUntil(journal, () => journal.stats().compactions > 0 && journal.stats().diskBytes <= 2 * journal.stats().liveBytes + 3 * SEGMENT);
    // All 1000 messages took ~330 KB; the 40 kept ones take ~14 KB.
    expect(diskBytes(dir)).toBeLessThan(5 * SEGMENT);
    expect(journal.stats().diskBytes).toBe(diskBytes(dir));
    const { journal: reopened, recovery } = await reopen(journal, dir, options);
    expect(recovery.skipped).toEqual([]);
    expect(contents(recovery)).toEqual({
      '/:work': kept,
      '/:audit': kept.filter(([id]) => id % 50 === 0),
    });
    // The recovered journal goes on settling the compacted copies correctly.
    for (const [id] of kept) reopened.remove('/', 'work', id);
    const { recovery: last } = await reopen(reopened, dir, options);
    expect(contents(last)).toEqual({ '/:audit': kept.filter(([id]) => id % 50 === 0) });
  });

  it('compacts in slices, letting the event loop run in between', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir, { segmentBytes: 2 * 1024 * 1024, compaction: { factor: 1.2, slackBytes: 0 } });
    for (let id = 1; id <= 60_000; id++) journal.enqueue('/', 'q', id, persistentMessage(id, 20));
    await flushed(journal);
    for (let id = 1; id <= 60_000; id += 2) journal.remove('/', 'q', id);
    // Turns of the event loop that find the compaction started but not finished.
    let turnsDuringCompaction = 0;
    // Bounded by time, not by turns: how many turns a compaction takes depends on the disk's fsync latency.
    const deadline = Date.now() + 20_000;
    for (let turn = 0; Date.now() < deadline && journal.stats().compactions === 0; turn++) {
      if (turn % 100 === 0) journal.flush(() => {});
      await new Promise((resolve) => setImmediate(resolve));
      if (journal.stats().recordsRewritten > 0 && journal.stats().compactions === 0) turnsDuringCompaction++;
    }
    expect(journal.stats().compactions).toBeGreaterThan(0);
    expect(turnsDuringCompaction).toBeGreaterThan(1);
  });
});
