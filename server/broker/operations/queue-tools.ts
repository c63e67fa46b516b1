// The console's precise operations on one queue, through Broker.queueTools:
// purge the first N, delete, move or copy a selection (explicit seqs, or the
// messages matching a search), edit a message and republish it as a new one,
// pause and resume delivery. Each runs in slices as a long operation
// (long-operations.ts) and answers once the store has synced.
//
// Moves stay exactly-once as Broker.moveMessages and dead-letter requeues
// do: each message is enqueued into the target and taken out of the source
// in one synchronous step between the store's moveStarted and moveFinished,
// which the journal writes as one MOVE record. A copy is a new message (its
// own id) in the target; the original stays. An edited message is published
// through an exchange (maybe into several queues) before its original is
// removed: a crash in between leaves both, never neither.

import type { EngineContext } from '../engine-context';
import type { Actor } from '../journey/journey-event';
import { BrokerError } from '../errors';
import { Message } from '../message';
import { messageOperations, REFUSED, type Queue } from '../queue/queue';
import type { MessageSearch } from '../search/message-search';
import { searchSource } from '../search/search-sources';
import type { SearchQuery, SearchTarget } from '../search/search-types';
import type { FieldTable, MessageProperties, PublishResult } from '../types';

/** Explicit seqs (as browsed or found), or every message matching a search. */
export type MessageSelection = { seqs: number[] } | { query: SearchQuery };

export interface MessageEdit {
  /** New payload; default: the original's. */
  body?: Buffer;
  /** Replaces the headers (the link to the original is added); default: the original's. */
  headers?: FieldTable;
  /** Where to publish; default: the exchange and routing key it was published with. */
  exchange?: string;
  routingKey?: string;
  /** Take the original out once the new message is published (default true). */
  removeOriginal?: boolean;
}

/** Header naming the message an edited one was made from: its message id, else `warren:<broker id>`. */
export const EDITED_FROM_HEADER = 'x-warren-edited-from';
/** Header naming the queue the original was in. */
export const EDITED_FROM_QUEUE_HEADER = 'x-warren-edited-from-queue';

/** The seqs a selection names: as given, or those of the messages matching its search now. */
export async function selectedSeqs(search: MessageSearch, target: SearchTarget, selection: MessageSelection): Promise<Set<number>> {
  if ('seqs' in selection) return new Set(selection.seqs);
  const seqs = new Set<number>();
  await search.find(target, selection.query, { onMatch: (hit) => seqs.add(hit.seq) });
  return seqs;
}

type Publish = (
  vhost: string,
  exchange: string,
  routingKey: string,
  properties: MessageProperties,
  body: Buffer,
  origin: { by?: Actor; from?: number },
) => PublishResult;

export class QueueTools {
  constructor(
    private readonly engine: EngineContext,
    private readonly search: MessageSearch,
    private readonly publish: Publish,
  ) {}

  /** Removes up to `count` ready messages from the head. `by`: who asked, for the journeys of traced messages (so in every method). */
  async purgeFirst(vhost: string, name: string, count: number, by?: Actor): Promise<{ purged: number }> {
    const queue = this.queue(vhost, name);
    const messages = messageOperations(queue, 'be purged');
    let purged = 0;
    await this.engine.operations.run({ kind: 'purge-first', vhost, queue: name, total: count }, (max) => {
      if (purged >= count || queue.deleted) return 'finished';
      const taken = messages.take(Math.min(max, count - purged));
      for (const message of taken) if (message.traced) this.engine.journeys.step('purged', queue, message, { by: by ?? null });
      purged += taken.length;
      return taken.length === 0 ? 'finished' : taken.length;
    });
    await this.engine.stored();
    return { purged };
  }

  /** Deletes the selected messages for good (a search selection is "purge those matching"). */
  async delete(vhost: string, name: string, selection: MessageSelection, by?: Actor): Promise<{ deleted: number }> {
    const queue = this.queue(vhost, name);
    const deleted = await this.extract('delete', vhost, queue, selection, (message) => {
      if (message.traced) this.engine.journeys.step('deleted', queue, message, { by: by ?? null });
      return true;
    });
    await this.engine.stored();
    return { deleted };
  }

  /** Moves the selected messages to the tail of `to`, each exactly once; a message `to` refuses stays and is skipped. */
  async move(vhost: string, from: string, to: string, selection: MessageSelection, by?: Actor): Promise<{ moved: number; skipped: number }> {
    const source = this.queue(vhost, from);
    const target = this.target(vhost, source, to);
    const store = this.engine.store;
    let skipped = 0;
    const moved = await this.extract(
      'move',
      vhost,
      source,
      selection,
      (message) => {
        // Finished once the original has left the source (by the next moveStarted, or after the slice).
        store.moveStarted?.(vhost, from, message);
        if (message.traced) this.engine.journeys.step('moved', source, message, { to, by: by ?? null });
        if (target.enqueue(message) !== REFUSED) return true;
        skipped++;
        return false;
      },
      () => store.moveFinished?.(),
    );
    await this.engine.stored();
    return { moved, skipped };
  }

  /** Copies the selected messages to the tail of `to` as new messages; the originals stay where they are. */
  async copy(vhost: string, from: string, to: string, selection: MessageSelection, by?: Actor): Promise<{ copied: number; skipped: number }> {
    const v = this.engine.vhost(vhost);
    const source = this.queue(vhost, from);
    const target = this.target(vhost, source, to);
    const seqs = await this.selectedSeqs(vhost, source, selection);
    const reader = searchSource(v, from);
    let copied = 0;
    let skipped = 0;
    await this.engine.operations.run({ kind: 'copy', vhost, queue: from, total: seqs.size }, (max) => {
      if (seqs.size === 0 || target.deleted) return 'finished';
      const page = reader.read(max);
      for (const m of page) {
        if (!seqs.delete(m.seq)) continue;
        const copy = new Message(v.nextMessageId(), m.exchange, m.routingKey, m.properties, m.body);
        if (target.enqueue(copy) === REFUSED) skipped++;
        else copied++;
      }
      return page.length === 0 ? 'finished' : page.length;
    });
    await this.engine.stored();
    return { copied, skipped };
  }

  /**
   * Publishes an edited copy of the message at `seq` as a new message, with
   * headers linking it to the original, then (unless told not to) removes
   * the original. 404 when no ready message has that seq (consumed meanwhile).
   */
  async republishEdited(
    vhost: string,
    name: string,
    seq: number,
    edit: MessageEdit,
    by?: Actor,
  ): Promise<{ routed: number; removedOriginal: boolean; editedFrom: string }> {
    const queue = this.queue(vhost, name);
    const operations = messageOperations(queue, 'have its messages edited');
    let found: { routed: number; editedFrom: string } | null = null;
    const removeOriginal = edit.removeOriginal ?? true;
    let failure: unknown = null;
    const removed = operations.extract(
      (_message, s) => s === seq,
      1,
      (original) => {
        const editedFrom = original.properties.messageId ?? `warren:${original.id}`;
        const properties: MessageProperties = {
          ...original.properties,
          headers: { ...(edit.headers ?? original.properties.headers), [EDITED_FROM_HEADER]: editedFrom, [EDITED_FROM_QUEUE_HEADER]: name },
        };
        delete properties.messageId; // a new message: the original's id is in the link header
        const exchange = edit.exchange ?? original.exchange;
        const routingKey = edit.routingKey ?? original.routingKey;
        if (original.traced) this.engine.journeys.step('edited', queue, original, { by: by ?? null, exchange, routingKey, removeOriginal });
        try {
          // Its journey follows on from the original's when the original was traced.
          const result = this.publish(vhost, exchange, routingKey, properties, edit.body ?? original.body, {
            by,
            from: original.traced ? original.id : undefined,
          });
          found = { routed: result.routed, editedFrom };
        } catch (error) {
          failure = error; // e.g. the exchange is gone: the original stays
          return false;
        }
        return removeOriginal;
      },
    );
    if (failure !== null) throw failure;
    if (found === null)
      throw new BrokerError('NOT_FOUND', `no ready message ${seq} in queue '${name}' in vhost '${vhost}': it was consumed or removed meanwhile`);
    await this.engine.stored();
    const { routed, editedFrom } = found;
    return { routed, removedOriginal: removed === 1, editedFrom };
  }

  /** Stops delivery to the queue's consumers (they stay attached); kept across restarts for a durable queue. 406 for a stream. */
  pause(vhost: string, name: string): void {
    messageOperations(this.queue(vhost, name), 'be paused').setPaused(true);
  }

  resume(vhost: string, name: string): void {
    messageOperations(this.queue(vhost, name), 'be paused').setPaused(false);
  }

  private queue(vhost: string, name: string): Queue {
    return this.engine.vhost(vhost).queue(name);
  }

  private target(vhost: string, source: Queue, name: string): Queue {
    const target = this.queue(vhost, name);
    if (target === source) throw new BrokerError('PRECONDITION_FAILED', `cannot move or copy messages of queue '${name}' into itself; choose another queue`);
    return target;
  }

  private selectedSeqs(vhost: string, source: Queue, selection: MessageSelection): Promise<Set<number>> {
    return selectedSeqs(this.search, { vhost, name: source.name }, selection);
  }

  /** Takes the selected messages out of `source` a slice at a time; `afterSlice` runs once a slice's placements and removals are done. */
  private async extract(
    kind: string,
    vhost: string,
    source: Queue,
    selection: MessageSelection,
    place: (message: Message) => boolean,
    afterSlice?: () => void,
  ): Promise<number> {
    const operations = messageOperations(source, 'give up messages');
    const seqs = await this.selectedSeqs(vhost, source, selection);
    let done = 0;
    await this.engine.operations.run({ kind, vhost, queue: source.name, total: seqs.size }, (max) => {
      if (seqs.size === 0 || source.deleted) return 'finished';
      let picked = 0;
      try {
        done += operations.extract((_message, seq) => seqs.delete(seq) && ++picked > 0, max, place);
      } finally {
        afterSlice?.();
      }
      return picked === 0 ? 'finished' : picked; // none picked: the rest left the queue meanwhile
    });
    return done;
  }
}
