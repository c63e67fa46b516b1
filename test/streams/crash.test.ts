// kill -9 while a stream is being appended to: a child process publishes
// with confirms and reports the highest confirmed offset (crash-child.ts);
// after each kill the stream is reopened and must hold every confirmed
// message, intact, and accept new appends after whatever survived.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStreamStore } from '../../server/store/stream/file-stream-store';
import { FileStreamStorage } from '../../server/store/stream/file-stream-storage';
import { killAfterFirstReport } from '../support/kill-after-report';
import { NO_LIMITS, tempDir } from './support';

const CHILD = join(import.meta.dirname, 'crash-child.ts');

/** Runs the child until `ms` after its first report, kills it with SIGKILL, returns the highest confirmed offset. */
async function runAndKill(dir: string, ms: number, reportFile: string): Promise<number> {
  const lines = (await killAfterFirstReport(CHILD, [dir], reportFile, ms)).filter((line) => /^c \d+$/.test(line));
  return Math.max(...lines.map((line) => Number(line.slice(2))));
}

describe('streams: kill -9', () => {
  it('keeps every confirmed message across kills', { timeout: 60_000 }, async () => {
    const root = tempDir();
    const streams = join(root, 'streams');
    const dir = new FileStreamStorage(streams).directoryOf('/', 'crash');
    let confirmedBefore = -1;
    for (let cycle = 0; cycle < 3; cycle++) {
      const confirmed = await runAndKill(streams, 300 + cycle * 150, join(root, `report-${cycle}`));
      expect(confirmed).toBeGreaterThan(confirmedBefore);
      const store = new FileStreamStore(dir, NO_LIMITS);
      expect(store.nextOffset).toBeGreaterThan(confirmed);
      let expected = 0;
      for (;;) {
        const batch = store.read(expected, 5000);
        if (batch.length === 0) break;
        for (const record of batch) {
          expect(record.offset).toBe(expected);
          expect(record.body.toString().replace(/\.+$/, '')).toBe(`o${expected}`);
          expected++;
        }
      }
      expect(expected).toBe(store.nextOffset);
      store.close();
      confirmedBefore = confirmed;
    }
  });
});
