// A MOVE whose message is a rewritten copy (a dead letter requeued under a new
// id, with its own MESSAGE record): it recovers as the copy in the target, and
// a crash that cuts the file anywhere leaves exactly one of original and copy.

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Message } from '../../broker/message';
import { LiveIndex } from './live-index';
import { replay } from './replay';
import { contents, flushed, listed, openJournal, persistentMessage, reopen, segmentFiles, tempJournalDir } from './test-support';

/** The copy a requeue makes of `original`: a new id, the exchange and key it died from, a new header. */
function rewritten(original: Message, id: number): Message {
  const headers = { ...original.properties.headers, 'x-requeued': 1 };
  return new Message(id, 'work-exchange', 'work', { ...original.properties, headers }, original.body);
}

describe('journal: a move of a rewritten copy', () => {
  it('recovers the copy, with its own id, exchange, key and headers, in the target only', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const original = persistentMessage(1, 32, { 'x-death': [] });
    journal.enqueue('/', 'work.dlq', 1, original);
    journal.enqueue('/', 'work.dlq', 2, persistentMessage(2));
    expect(journal.move('/', 'work.dlq', 1, 'work', 7, rewritten(original, 3))).toBe(true);
    expect(journal.move('/', 'work.dlq', 99, 'work', 8, rewritten(original, 4))).toBe(false);
    expect(journal.stats().messages).toBe(2);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({ '/:work.dlq': [[2, 'message 2']], '/:work': [[7, 'message 1']] });
    const copy = listed(recovery.queues.find((q) => q.name === 'work'))[0]!;
    expect([copy.message.id, copy.message.exchange, copy.message.routingKey]).toEqual([3, 'work-exchange', 'work']);
    expect(copy.message.properties.headers).toEqual({ 'x-death': [], 'x-requeued': 1 });
    expect(recovery.maxMessageId).toBe(3);
  });

  it('leaves exactly one of original and copy wherever a crash cuts the file', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const original = persistentMessage(1, 64);
    journal.enqueue('/', 'work.dlq', 1, original);
    await flushed(journal);
    const segment = segmentFiles(dir)[0]!;
    const beforeMove = statSync(join(dir, segment)).size;
    journal.move('/', 'work.dlq', 1, 'work', 7, rewritten(original, 2));
    await journal.close();
    const bytes = readFileSync(join(dir, segment));

    const scratch = join(dir, '..', 'cut');
    mkdirSync(scratch);
    const outcomes = new Set<string>();
    for (let cut = beforeMove; cut <= bytes.length; cut++) {
      writeFileSync(join(scratch, segment), bytes.subarray(0, cut));
      const recovery = replay(scratch, new LiveIndex());
      const held = recovery.queues.flatMap((q) => listed(q).map(({ message }) => `${q.name}:${message.id}`));
      // The whole MOVE record is on disk exactly when the file is complete.
      expect({ cut, held }).toEqual({ cut, held: cut < bytes.length ? ['work.dlq:1'] : ['work:2'] });
      expect(recovery.lostEntries).toEqual([]);
      outcomes.add(held[0]!);
    }
    expect([...outcomes]).toEqual(['work.dlq:1', 'work:2']);
  });

  it('rewrites the copy on compaction and lets the original’s segment go', async () => {
    const dir = tempJournalDir();
    const options = { segmentBytes: 4096, compaction: { factor: 1.2, slackBytes: 0 } };
    let { journal } = openJournal(dir, options);
    const originals = Array.from({ length: 40 }, (_, k) => persistentMessage(k + 1, 200));
    originals.forEach((m, k) => journal.enqueue('/', 'work.dlq', k + 1, m));
    await flushed(journal);
    originals.forEach((m, k) => journal.move('/', 'work.dlq', k + 1, 'work', k + 1, rewritten(m, 100 + k)));
    await flushed(journal);
    const lastWithMoves = segmentFiles(dir).at(-1)!;
    // Churn in another queue fills and kills segments until the moved copies' segments get compacted.
    for (let id = 1000; id < 1400; id++) {
      journal.enqueue('/', 'churn', id, persistentMessage(id, 200));
      journal.remove('/', 'churn', id);
      if (id % 20 === 0) await flushed(journal);
    }
    await flushed(journal);
    await new Promise((resolve) => setTimeout(resolve, 50)); // compaction runs in slices
    await flushed(journal);
    const stats = journal.stats();
    expect(stats.recordsRewritten).toBeGreaterThanOrEqual(2 * originals.length);
    // Every segment holding an original, a copy or a MOVE is gone: the live copies were rewritten.
    expect(segmentFiles(dir)[0]! > lastWithMoves).toBe(true);
    ({ journal } = await reopen(journal, dir, options));
    const { recovery } = await reopen(journal, dir, options);
    expect(contents(recovery)).toEqual({ '/:work': originals.map((_m, k) => [k + 1, `message ${k + 1}`]) });
    expect(listed(recovery.queues[0]).map(({ message }) => message.id)).toEqual(originals.map((_m, k) => 100 + k));
  });
});
