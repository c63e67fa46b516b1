// Random operations against the journal and against a plain in-memory model,
// with tiny segments and eager compaction so that rotation, deletion and
// compaction all run between restarts; after every restart the recovered
// queues must equal the model.

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../amqp/codec/seeded-random';
import type { Message } from '../../broker/message';
import type { Journal, JournalOptions } from './journal';
import type { Recovery } from './replay';
import { flushed, listed, openJournal, persistentMessage, reopen, tempJournalDir } from './test-support';

const QUEUES = ['a', 'b', 'c'];
const OPTIONS: JournalOptions = { segmentBytes: 4096, compaction: { factor: 1.5, slackBytes: 0 } };

/** queue → seq → message id; `delivered` holds "queue seq" of delivered entries. */
type Model = Map<string, Map<number, number>>;

function modelContents(model: Model, delivered: Set<string>): Record<string, [number, number, boolean][]> {
  const out: Record<string, [number, number, boolean][]> = {};
  for (const [queue, messages] of model) {
    if (messages.size === 0) continue;
    out[queue] = [...messages.entries()].sort((x, y) => x[0] - y[0]).map(([seq, id]) => [seq, id, delivered.has(`${queue} ${seq}`)]);
  }
  return out;
}

function recoveredContents(recovery: Recovery): Record<string, [number, number, boolean][]> {
  const out: Record<string, [number, number, boolean][]> = {};
  for (const queue of recovery.queues) {
    expect(queue.vhost).toBe('/');
    out[queue.name] = listed(queue).map(({ seq, message, redelivered }) => {
      expect(message.body.toString()).toMatch(new RegExp(`^message ${message.id}\\.*$`));
      return [seq, message.id, redelivered];
    });
  }
  return out;
}

describe('journal against a model', () => {
  for (const seed of [1, 2, 3]) {
    it(`recovers exactly what the model holds (seed ${seed})`, async () => {
      const random = new SeededRandom(seed);
      const dir = tempJournalDir();
      let journal: Journal = openJournal(dir, OPTIONS).journal;
      const model: Model = new Map(QUEUES.map((q) => [q, new Map()]));
      const delivered = new Set<string>();
      const messages = new Map<number, Message>(); // live Message objects by id
      const nextSeq = new Map(QUEUES.map((q) => [q, 1]));
      let nextId = 1;
      let compactions = 0;
      let segmentsDeleted = 0;
      const tally = () => {
        compactions += journal.stats().compactions;
        segmentsDeleted += journal.stats().segmentsDeleted;
      };
      const takeSeq = (queue: string) => {
        const seq = nextSeq.get(queue)!;
        nextSeq.set(queue, seq + 1);
        return seq;
      };
      const liveEntries = () => QUEUES.flatMap((q) => [...model.get(q)!.entries()].map(([seq, id]) => ({ queue: q, seq, id })));

      for (let step = 0; step < 1500; step++) {
        const roll = random.int(0, 99);
        const live = liveEntries();
        if (roll < 40 || live.length === 0) {
          const message = persistentMessage(nextId++, random.int(20, 400));
          messages.set(message.id, message);
          for (const queue of QUEUES.filter(() => random.bool()).concat(random.pick(QUEUES))) {
            if ([...model.get(queue)!.values()].includes(message.id)) continue;
            const seq = takeSeq(queue);
            journal.enqueue('/', queue, seq, message);
            model.get(queue)!.set(seq, message.id);
          }
        } else if (roll < 75) {
          const { queue, seq } = random.pick(live);
          expect(journal.remove('/', queue, seq)).toBe(true);
          model.get(queue)!.delete(seq);
          delivered.delete(`${queue} ${seq}`);
        } else if (roll < 80) {
          const { queue, seq } = random.pick(live);
          journal.delivered('/', queue, seq);
          delivered.add(`${queue} ${seq}`);
        } else if (roll < 85) {
          // Half the moves carry a rewritten copy under a new id, as a dead-letter requeue does.
          const { queue, seq, id } = random.pick(live);
          const to = random.pick(QUEUES);
          const toSeq = takeSeq(to);
          const copy = random.bool() ? persistentMessage(nextId++, random.int(20, 400)) : undefined;
          if (copy) messages.set(copy.id, copy);
          expect(journal.move('/', queue, seq, to, toSeq, copy)).toBe(true);
          model.get(queue)!.delete(seq);
          delivered.delete(`${queue} ${seq}`);
          model.get(to)!.set(toSeq, copy?.id ?? id);
        } else if (roll < 90) {
          // Fan-out of a message already held elsewhere: only an ENQUEUE is written.
          const { id } = random.pick(live);
          const queue = random.pick(QUEUES);
          const seq = takeSeq(queue);
          journal.enqueue('/', queue, seq, messages.get(id)!);
          model.get(queue)!.set(seq, id);
        } else if (roll < 92) {
          const queue = random.pick(QUEUES);
          journal.dropQueue('/', queue);
          for (const seq of model.get(queue)!.keys()) delivered.delete(`${queue} ${seq}`);
          model.get(queue)!.clear();
        } else if (roll < 98) {
          await flushed(journal);
        } else {
          tally();
          const reopened = await reopen(journal, dir, OPTIONS);
          journal = reopened.journal;
          expect(reopened.recovery.skipped).toEqual([]);
          expect(recoveredContents(reopened.recovery)).toEqual(modelContents(model, delivered));
          // From now on the engine holds the recovered Message objects.
          messages.clear();
          for (const queue of reopened.recovery.queues) for (const { message } of listed(queue)) messages.set(message.id, message);
        }
      }
      tally();
      const { recovery } = await reopen(journal, dir, OPTIONS);
      expect(compactions).toBeGreaterThan(0);
      expect(segmentsDeleted).toBeGreaterThan(0);
      expect(recovery.skipped).toEqual([]);
      expect(recoveredContents(recovery)).toEqual(modelContents(model, delivered));
      expect(recovery.maxMessageId).toBeLessThan(nextId);
    });
  }
});
