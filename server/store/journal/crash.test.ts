// kill -9 at random moments: a child process journals and acks messages,
// reporting what the journal confirmed (crash-child.ts); after each kill the
// journal is replayed and must hold, intact, every confirmed message whose
// removal was never started, and none whose removal was confirmed.
// JOURNAL_CRASH_CYCLES=20 runs a longer version.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../amqp/codec/seeded-random';
import { killAfterFirstReport } from '../../../test/support/kill-after-report';
import { listed, openJournal, tempJournalDir } from './test-support';

const CYCLES = Number(process.env.JOURNAL_CRASH_CYCLES ?? 3);
const CHILD = join(import.meta.dirname, 'crash-child.ts');

/** Runs the child until `ms` after its first report, kills it with SIGKILL, returns its report lines. */
async function runAndKill(dir: string, firstId: number, ms: number, reportFile: string): Promise<string[]> {
  const lines = await killAfterFirstReport(CHILD, [dir, String(firstId)], reportFile, ms);
  return lines.filter((line) => /^[car] \d+$/.test(line));
}

describe('journal: kill -9', () => {
  it(`keeps every confirmed message and no confirmed ack across ${CYCLES} kills`, { timeout: 30_000 + CYCLES * 10_000 }, async () => {
    const random = new SeededRandom(7);
    const dir = tempJournalDir();
    const confirmed = new Set<number>();
    const removing = new Set<number>();
    const acked = new Set<number>();
    let nextId = 1;
    let highestReported = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const lines = await runAndKill(dir, nextId, random.int(100, 700), join(dir, '..', `report-${cycle}`));
      for (const line of lines) {
        const id = Number(line.slice(2));
        highestReported = Math.max(highestReported, id);
        ({ c: confirmed, r: removing, a: acked })[line[0] as 'c' | 'r' | 'a'].add(id);
      }
      const { journal, recovery } = openJournal(dir);
      const recovered = new Map(listed(recovery.queues[0]).map(({ seq, message }) => [seq, message]));
      const lost = [...confirmed].filter((id) => !removing.has(id) && !recovered.has(id));
      const resurrected = [...acked].filter((id) => recovered.has(id));
      expect({ cycle, lost, resurrected }).toEqual({ cycle, lost: [], resurrected: [] });
      for (const [seq, message] of recovered) {
        expect(message.id).toBe(seq);
        expect(message.properties.messageId).toBe(String(seq));
        expect(message.body.toString()).toMatch(new RegExp(`^message ${seq}\\.+$`));
      }
      expect(recovery.skipped.filter((skip) => skip.reason !== 'torn')).toEqual([]);
      // Ids go on above anything reported or still on disk.
      nextId = Math.max(nextId, recovery.maxMessageId + 1, highestReported + 1);
      await journal.close();
    }
    // The runs really exercised the journal: many confirmations, acks, and deaths mid-stream.
    expect(confirmed.size).toBeGreaterThan(CYCLES * 100);
    expect(acked.size).toBeGreaterThan(0);
  });
});
