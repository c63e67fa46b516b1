import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Message } from '../../broker/message';
import { LiveIndex } from './live-index';
import { replay } from './replay';
import { flushed, openJournal, persistentMessage, segmentFiles, tempJournalDir } from './test-support';

describe('journal: group commit', () => {
  it('answers every flush after a sync, and flushes asked together share one sync', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const syncsSeenByCallbacks: number[] = [];
    const all: Promise<void>[] = [];
    for (let id = 1; id <= 1000; id++) {
      journal.enqueue('/', 'q', id, persistentMessage(id));
      all.push(
        new Promise((resolve, reject) =>
          journal.flush((error) => {
            if (error) return reject(error);
            syncsSeenByCallbacks.push(journal.stats().fsyncs);
            resolve();
          }),
        ),
      );
    }
    await Promise.all(all);
    expect(syncsSeenByCallbacks).toHaveLength(1000);
    expect(Math.min(...syncsSeenByCallbacks)).toBe(1);
    expect(journal.stats().fsyncs).toBe(1);
    // What the callbacks confirmed is in the file, readable by a fresh replay.
    const recovered = replay(dir, new LiveIndex());
    expect(recovered.messages).toBe(1000);
  });

  it('calls a flush back in order with later records, never before its own are synced', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const order: string[] = [];
    journal.enqueue('/', 'q', 1, persistentMessage(1));
    journal.flush(() => order.push('first'));
    await new Promise((resolve) => setImmediate(resolve));
    // The first sync is in flight: this record and flush wait for the next one.
    journal.enqueue('/', 'q', 2, persistentMessage(2));
    const fsyncsBefore = journal.stats().fsyncs;
    await new Promise<void>((resolve) =>
      journal.flush(() => {
        order.push('second');
        resolve();
      }),
    );
    expect(order).toEqual(['first', 'second']);
    expect(journal.stats().fsyncs).toBeGreaterThan(fsyncsBefore);
  });

  it('uses far fewer syncs than flushes under a steady stream of publishes', async () => {
    const { journal } = openJournal(tempJournalDir());
    const flushes: Promise<void>[] = [];
    for (let id = 1; id <= 2000; id++) {
      journal.enqueue('/', 'q', id, persistentMessage(id, 256));
      flushes.push(flushed(journal));
      if (id % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(flushes);
    const { fsyncs } = journal.stats();
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThanOrEqual(41);
  });

  it('answers a flush with nothing new to write without a sync', async () => {
    const { journal } = openJournal(tempJournalDir());
    journal.enqueue('/', 'q', 1, persistentMessage(1));
    await flushed(journal);
    const fsyncs = journal.stats().fsyncs;
    await flushed(journal);
    await flushed(journal);
    expect(journal.stats().fsyncs).toBe(fsyncs);
  });

  it('writes records straight away once a burst passes the buffer limit', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    for (let id = 1; id <= 20; id++) journal.enqueue('/', 'q', id, persistentMessage(id, 100_000));
    // No commit has run yet, but most of the burst is already in the file.
    expect(journal.stats().writes).toBeGreaterThan(0);
    expect(readFileSync(join(dir, segmentFiles(dir)[0]!)).length).toBeGreaterThan(1_000_000);
    await flushed(journal);
    expect(replay(dir, new LiveIndex()).messages).toBe(20);
  });

  it('reports a failed write to every waiting flush and to later ones', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir, { segmentBytes: 1024 });
    // The next segment's name is taken, so rotating to it fails.
    symlinkSync('/dev/full', join(dir, '00000002.seg'));
    journal.enqueue('/', 'q', 1, persistentMessage(1, 2000));
    const waiting = [flushed(journal), flushed(journal)];
    for (const flush of waiting) await expect(flush).rejects.toThrow(/EEXIST/);
    journal.enqueue('/', 'q', 2, persistentMessage(2));
    await expect(flushed(journal)).rejects.toThrow(/EEXIST/);
  });

  it('answers every waiter of a batch even when one of them throws', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const answered: number[] = [];
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    journal.enqueue('/', 'q', 1, persistentMessage(1));
    const last = new Promise<void>((resolve) => {
      journal.flush(() => answered.push(1));
      journal.flush(() => {
        throw new RangeError('short string longer than 255 bytes');
      });
      journal.flush(() => {
        answered.push(3);
        resolve();
      });
    });
    await last;
    expect(answered).toEqual([1, 3]);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
    // The journal goes on committing afterwards.
    journal.enqueue('/', 'q', 2, persistentMessage(2));
    await flushed(journal);
  });

  it('refuses records and flushes once closed', async () => {
    const { journal } = openJournal(tempJournalDir());
    journal.enqueue('/', 'q', 1, persistentMessage(1));
    await Promise.all([journal.close(), journal.close()]);
    await journal.close();
    await expect(flushed(journal)).rejects.toThrow(/closed/);
    expect(() => journal.enqueue('/', 'q', 2, new Message(2, '', 'q', { deliveryMode: 2 }, Buffer.from('x')))).toThrow(/closed/);
  });
});
