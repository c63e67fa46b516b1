// Deadlines (TTL) in the journal: an entry enqueued or moved with one comes
// back with it, through compaction too; entries without one keep the short
// records.

import { describe, expect, it } from 'vitest';
import { Writer } from '../../amqp/codec/writer';
import { ENQUEUE_RECORD_BYTES } from './format';
import { writeEnqueue, writeMove } from './record-codec';
import type { Recovery } from './replay';
import { flushed, listed, openJournal, persistentMessage, reopen, tempJournalDir } from './test-support';

const deadlines = (recovery: Recovery) => Object.fromEntries(recovery.queues.map((q) => [q.name, listed(q).map(({ seq, expiresAt }) => [seq, expiresAt])]));

describe('journal: message deadlines', () => {
  it('keeps the deadline of each queue entry across a restart, and 0 where there was none', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const shared = persistentMessage(1);
    journal.enqueue('/', 'ttl', 1, shared, 1_767_225_600_123);
    journal.enqueue('/', 'plain', 1, shared);
    journal.enqueue('/', 'ttl', 2, persistentMessage(2), 1_767_225_600_456);
    journal.move('/', 'ttl', 2, 'moved', 5, undefined, 1_767_225_999_000);
    journal.enqueue('/', 'ttl', 3, persistentMessage(3), 1_767_225_600_789);
    journal.move('/', 'ttl', 3, 'plain', 2);
    const { recovery } = await reopen(journal, dir);
    expect(deadlines(recovery)).toEqual({
      ttl: [[1, 1_767_225_600_123]],
      plain: [
        [1, 0],
        [2, 0],
      ],
      moved: [[5, 1_767_225_999_000]],
    });
  });

  it('costs 8 bytes on the records of entries that have a deadline, nothing on the others', () => {
    const w = new Writer(256);
    expect(writeEnqueue(w, 1, 1, 1)).toBe(ENQUEUE_RECORD_BYTES);
    expect(writeEnqueue(w, 1, 1, 1, 1_767_225_600_000)).toBe(ENQUEUE_RECORD_BYTES + 8);
    expect(writeMove(w, 1, 1, 2, 1, 1, 1_767_225_600_000) - writeMove(w, 1, 1, 2, 1, 1)).toBe(8);
  });

  it('keeps deadlines through compaction', async () => {
    const dir = tempJournalDir();
    const options = { segmentBytes: 2048, compaction: { factor: 1, slackBytes: 0 } };
    const { journal } = openJournal(dir, options);
    for (let seq = 1; seq <= 200; seq++) {
      journal.enqueue('/', 'q', seq, persistentMessage(seq, 64), seq % 2 === 0 ? 1_800_000_000_000 + seq : 0);
      if (seq > 4) journal.remove('/', 'q', seq - 1); // only seqs 1-3 and 200 stay: compaction rewrites them
      if (seq % 10 === 0) await flushed(journal);
    }
    for (let i = 0; i < 20 && journal.stats().compactions === 0; i++) await flushed(journal);
    expect(journal.stats().compactions).toBeGreaterThan(0);
    const { recovery } = await reopen(journal, dir, options);
    expect(deadlines(recovery)).toEqual({
      q: [
        [1, 0],
        [2, 1_800_000_000_002],
        [3, 0],
        [200, 1_800_000_000_200],
      ],
    });
  });
});
