// The journal on a full disk (a small tmpfs; needs root): writes wait instead
// of failing, the reserve is given back at once, nothing half-written stays
// in a segment, and everything goes on once there is space again.

import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountSmallDisk, smallDiskOrReport } from '../../../test/support/small-disk';
import { DiskReserve } from '../disk-reserve';
import { contents, flushed, openJournal, persistentMessage, reopen } from './test-support';

const disk = smallDiskOrReport('journal out-of-space tests', mountSmallDisk('4m'));
afterAll(() => disk?.unmount());

const RESERVE = 256 * 1024;
let nextDir = 0;

function settledWithin<T>(promise: Promise<T>, ms: number): Promise<'pending' | 'done' | Error> {
  return Promise.race([
    promise.then(
      () => 'done' as const,
      (error: Error) => error,
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe.skipIf(!disk)('journal: a full disk', () => {
  const fresh = () => {
    const dataDir = join(disk!.dir, `data-${++nextDir}`);
    return { dir: join(dataDir, 'journal'), reserve: new DiskReserve(dataDir, RESERVE) };
  };

  it('gives back its reserve when a write finds the disk full, and the write goes through', async () => {
    const { dir, reserve } = fresh();
    const { journal } = openJournal(dir, { reserve });
    expect(reserve.held).toBe(true);
    const events: string[] = [];
    journal.watchDisk({ written: () => {}, outOfSpace: (full) => void events.push(full ? 'full' : 'writing') });
    const filler = disk!.fill();
    for (let id = 1; id <= 50; id++) journal.enqueue('/', 'q', id, persistentMessage(id, 1000));
    await flushed(journal);
    expect(reserve.held).toBe(false);
    expect(events).toEqual(['full', 'writing']);
    unlinkSync(filler);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)['/:q']).toHaveLength(50);
    expect(recovery.skipped).toEqual([]);
  });

  it('keeps confirms waiting while the disk is full, and answers them once space is back', async () => {
    const { dir } = fresh();
    const { journal } = openJournal(dir);
    journal.enqueue('/', 'q', 1, persistentMessage(1, 1000));
    await flushed(journal);
    const filler = disk!.fill();
    for (let id = 2; id <= 40; id++) journal.enqueue('/', 'q', id, persistentMessage(id, 1000));
    const waiting = flushed(journal);
    expect(await settledWithin(waiting, 300)).toBe('pending');
    expect(journal.stats().outOfSpace).toMatch(/ENOSPC/);
    unlinkSync(filler);
    expect(await settledWithin(waiting, 3000)).toBe('done'); // the next retry
    expect(journal.stats().outOfSpace).toBeUndefined();
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)['/:q']).toHaveLength(40);
    expect(recovery.skipped).toEqual([]); // the failed write left no partial record
  });

  it('opens on a full disk, holding records until its segment can be created', async () => {
    const { dir } = fresh();
    const first = openJournal(dir);
    first.journal.enqueue('/', 'q', 1, persistentMessage(1, 1000));
    await first.journal.close();
    const filler = disk!.fill();
    const { journal, recovery } = openJournal(dir);
    expect(contents(recovery)['/:q']).toHaveLength(1);
    expect(journal.stats().outOfSpace).toMatch(/ENOSPC/);
    journal.remove('/', 'q', 1); // a consumer drains meanwhile
    journal.enqueue('/', 'q', 2, persistentMessage(2, 1000));
    const waiting = flushed(journal);
    expect(await settledWithin(waiting, 300)).toBe('pending');
    unlinkSync(filler);
    expect(await settledWithin(waiting, 3000)).toBe('done');
    const { recovery: again } = await reopen(journal, dir);
    expect(contents(again)).toEqual({ '/:q': [[2, 'message 2']] });
  });

  it('says on close what it could not write, and leaves the files readable', async () => {
    const { dir } = fresh();
    const { journal } = openJournal(dir);
    journal.enqueue('/', 'q', 1, persistentMessage(1, 1000));
    await flushed(journal);
    const filler = disk!.fill();
    journal.enqueue('/', 'q', 2, persistentMessage(2, 10_000));
    await expect(journal.close()).rejects.toThrow(/^the journal could not write its last \d+ bytes \(ENOSPC: no space left on device, write\)/);
    unlinkSync(filler);
    const { recovery } = openJournal(dir);
    expect(contents(recovery)).toEqual({ '/:q': [[1, 'message 1']] });
    expect(recovery.skipped).toEqual([]);
  });
});
