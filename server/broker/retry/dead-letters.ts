// Operations on a dead-letter queue (any queue: `<queue>.dlq` or one bound to
// a dead-letter exchange), through Broker.deadLetters: list with filters,
// requeue back to where the messages died (or to another queue), delete,
// export. Every operation works in slices; requeue and delete run as long
// operations (operations/long-operations.ts), with progress and cancel.
//
// A selection is either explicit seqs (as listed) or a filter. Moving is
// exactly-once from the operator's point of view: each message is taken out of
// the dead-letter queue and its rewritten copy put into its target in one
// synchronous step, bracketed by the store's moveStarted/moveFinished, so the
// store is told "enqueued in the target" then "removed from the DLQ" as one
// move (the journal writes one MOVE record: a crash leaves the message in
// exactly one of the two queues). Requeue and delete answer once the store
// has synced.

import type { EngineContext } from '../engine-context';
import { BrokerError, notFound } from '../errors';
import { textOf } from '../field-values';
import { Message } from '../message';
import { messageOperations, REFUSED, type Queue } from '../queue/queue';
import type { FieldTable } from '../types';
import type { Vhost } from '../vhost';
import { deadLetterOf, deathHistory, matchesFilter, type DeadLetter, type DeadLetterFilter } from './dead-letter-view';
import { RETRY_HEADERS } from './retry-tiers';
import { SLICE_SIZE, yieldToEventLoop } from '../operations/long-operations';

export type DeadLetterSelection = { seqs: number[] } | { filter: DeadLetterFilter };

export interface RequeueOptions {
  /** Target queue for every message; default: the queue each one died in. */
  to?: string;
  /** Drop the retry headers so the message goes through every retry tier again. */
  resetAttempts?: boolean;
}

export class DeadLetterConsole {
  constructor(private readonly engine: EngineContext) {}

  /** One page of the messages matching `filter`, and how many match in all. */
  async list(
    vhost: string,
    queue: string,
    options: { filter?: DeadLetterFilter; offset?: number; limit: number },
  ): Promise<{ total: number; messages: DeadLetter[] }> {
    const filter = options.filter ?? {};
    const offset = options.offset ?? 0;
    const messages: DeadLetter[] = [];
    let total = 0;
    await scan(this.queue(vhost, queue), (letter) => {
      if (!matchesFilter(letter, filter)) return;
      if (total >= offset && messages.length < options.limit) messages.push(letter);
      total++;
    });
    return { total, messages };
  }

  /** The selected messages, for an export (they stay in the queue). */
  async export(vhost: string, queue: string, selection: DeadLetterSelection): Promise<DeadLetter[]> {
    const selected = selector(selection);
    const out: DeadLetter[] = [];
    await scan(this.queue(vhost, queue), (letter) => {
      if (selected(letter)) out.push(letter);
    });
    return out;
  }

  /**
   * Moves the selected messages to the queue each died in (or `options.to`),
   * at its tail. A message whose target is missing or refuses it stays in the
   * dead-letter queue and is counted as skipped. 404 when `to` is missing.
   */
  async requeue(vhost: string, queue: string, selection: DeadLetterSelection, options: RequeueOptions = {}): Promise<{ requeued: number; skipped: number }> {
    const v = this.engine.vhost(vhost);
    const source = this.queue(vhost, queue);
    const fixedTarget = options.to === undefined ? undefined : v.queue(options.to);
    if (fixedTarget === source) throw new BrokerError('PRECONDITION_FAILED', `cannot requeue messages of queue '${queue}' into itself`);
    const store = this.engine.store;
    let skipped = 0;
    const requeued = await this.extractSelected(
      'requeue',
      vhost,
      source,
      selection,
      (message) => {
        const latest = deathHistory(message.properties.headers)[0];
        const name = latest === undefined ? null : textOf(latest.queue);
        const target = fixedTarget ?? (name === null ? undefined : v.queues.get(name));
        if (target === undefined || target === source) {
          skipped++;
          return false;
        }
        const copy = requeuedMessage(message, latest, options.resetAttempts ?? false, v);
        // Finished by extractSelected once the original has left the DLQ (or by the next moveStarted).
        store.moveStarted?.(vhost, queue, copy);
        if (target.enqueue(copy) === REFUSED) {
          skipped++;
          return false;
        }
        return true;
      },
      () => store.moveFinished?.(),
    );
    await this.engine.stored();
    return { requeued, skipped };
  }

  /** Deletes the selected messages for good. */
  async delete(vhost: string, queue: string, selection: DeadLetterSelection): Promise<{ deleted: number }> {
    const deleted = await this.extractSelected('delete', vhost, this.queue(vhost, queue), selection, () => true);
    await this.engine.stored();
    return { deleted };
  }

  /** Takes the selected messages out of `source` a slice at a time; `afterSlice` runs once each slice's `place` calls and removals are done. */
  private async extractSelected(
    kind: 'requeue' | 'delete',
    vhost: string,
    source: Queue,
    selection: DeadLetterSelection,
    place: (message: Message) => boolean,
    afterSlice?: () => void,
  ): Promise<number> {
    const seqs = new Set<number>();
    if ('seqs' in selection) for (const seq of selection.seqs) seqs.add(seq);
    else {
      const selected = selector(selection);
      await scan(source, (letter) => {
        if (selected(letter)) seqs.add(letter.seq);
      });
    }
    let moved = 0;
    await this.engine.operations.run({ kind, vhost, queue: source.name, total: seqs.size }, (max) => {
      if (seqs.size === 0 || source.deleted) return 'finished';
      let picked = 0;
      moved += messageOperations(source, 'give up messages').extract((_message, seq) => seqs.delete(seq) && ++picked > 0, max, place);
      afterSlice?.();
      return picked === 0 ? 'finished' : picked; // none picked: the rest left the queue meanwhile (consumed, expired)
    });
    return moved;
  }

  private queue(vhost: string, name: string): Queue {
    const queue = this.engine.vhost(vhost).queues.get(name);
    if (!queue) throw notFound('queue', name, vhost);
    return queue;
  }
}

/** Visits every ready message as a DeadLetter, a slice at a time. A consumer taking messages meanwhile may make it skip some. */
async function scan(queue: Queue, visit: (letter: DeadLetter) => void): Promise<void> {
  for (let offset = 0; !queue.deleted; offset += SLICE_SIZE) {
    const page = queue.browse(offset, SLICE_SIZE);
    for (const m of page) visit(deadLetterOf(m));
    if (page.length < SLICE_SIZE) return;
    await yieldToEventLoop();
  }
}

function selector(selection: DeadLetterSelection): (letter: DeadLetter) => boolean {
  if ('seqs' in selection) {
    const seqs = new Set(selection.seqs);
    return (letter) => seqs.has(letter.seq);
  }
  return (letter) => matchesFilter(letter, selection.filter);
}

/** The message as it goes back: the exchange and first routing key it had when it died, retry headers dropped on reset. */
function requeuedMessage(message: Message, latest: FieldTable | undefined, resetAttempts: boolean, v: Vhost): Message {
  const keys = latest?.['routing-keys'];
  const exchange = (latest && textOf(latest.exchange)) ?? message.exchange;
  const routingKey = (Array.isArray(keys) && keys.length > 0 && textOf(keys[0])) || message.routingKey;
  let properties = message.properties;
  if (resetAttempts && properties.headers !== undefined) {
    const headers: FieldTable = { ...properties.headers };
    for (const name of RETRY_HEADERS) delete headers[name];
    properties = { ...properties, headers };
  }
  return new Message(v.nextMessageId(), exchange, routingKey, properties, message.body);
}
