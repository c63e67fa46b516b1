// Export and import of messages, through Broker.transfer; the transport
// (server/http/message-transfer/) writes and reads them as JSON lines.
//
// An export reads a queue, a dead-letter queue, a retry tier or a stream
// without taking anything (search-sources.ts), all of it or a selection
// (seqs, or the messages matching a search), and hands each message to a
// sink. An import takes messages from a source and puts each into a queue
// (enqueued as a new message, keeping its exchange and routing key) or
// publishes it to an exchange. Both run as long operations (sliced, with
// progress, cancellable): an export waits whenever its reader is full, so
// that a gigabyte never sits in memory; an import waits for its next lines
// and counts a slice's messages as imported only once the store has them.

import type { EngineContext } from '../engine-context';
import { Message } from '../message';
import { REFUSED } from '../queue/queue';
import type { MessageSearch } from '../search/message-search';
import { searchSource, type SourceMessage } from '../search/search-sources';
import type { SearchTarget } from '../search/search-types';
import type { MessageProperties, PublishOptions, PublishResult } from '../types';
import type { OperationState } from './long-operations';
import { selectedSeqs, type MessageSelection } from './queue-tools';

/** A message as exported and imported. */
export interface TransferMessage {
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
  redelivered: boolean;
}

export interface ExportSink {
  /** Takes one message; false when it wants none until `drained` resolves. */
  write(message: TransferMessage): boolean;
  /** Resolves once the sink takes messages again (or is closed). */
  drained(): Promise<void>;
  /** The reader went away: the export stops. */
  readonly closed: boolean;
}

export interface ImportSource {
  /** The next messages, at most `max`; empty once there are no more (the end, or a bad line that stops the import). */
  next(max: number): Promise<TransferMessage[]>;
}

/** Where an import puts its messages. */
export type ImportTarget = { queue: string } | { exchange: string };

export interface ImportResult {
  /** Messages stored in their queue(s). */
  imported: number;
  /** Messages a queue refused (e.g. its x-max-length with reject-publish). */
  refused: number;
  /** Messages published to an exchange that routed them nowhere. */
  unroutable: number;
  state: OperationState;
  operationId: number;
}

type Publish = (vhost: string, exchange: string, routingKey: string, properties: MessageProperties, body: Buffer, options?: PublishOptions) => PublishResult;

/** Messages read from the source at once, so that a full sink stops the reading soon. */
const PAGE = 100;

export class MessageTransfer {
  constructor(
    private readonly engine: EngineContext,
    private readonly search: MessageSearch,
    private readonly publish: Publish,
  ) {}

  /**
   * Hands the messages of `target` (all, or `selection`) to `sink`, in
   * order, leaving them where they are. 404 when there is no such queue,
   * stream or retry tier; 406 for a bad search.
   */
  async export(
    target: SearchTarget,
    selection: MessageSelection | null,
    sink: ExportSink,
    started?: (operationId: number) => void,
  ): Promise<{ exported: number; state: OperationState }> {
    const reader = searchSource(this.engine.vhost(target.vhost), target.name);
    const seqs = selection === null ? null : await selectedSeqs(this.search, target, selection);
    let pending: SourceMessage[] = [];
    let next = 0;
    let exported = 0;
    const info = await this.engine.operations.run(
      { kind: 'export', vhost: target.vhost, queue: target.name, total: reader.total },
      async (max) => {
        if (sink.closed || seqs?.size === 0) return 'finished';
        let handled = 0;
        while (handled < max) {
          if (next >= pending.length) {
            pending = reader.read(Math.min(PAGE, max - handled));
            next = 0;
            if (pending.length === 0) return handled === 0 ? 'finished' : handled;
          }
          const message = pending[next++]!; // next < pending.length, checked above
          handled++;
          if (seqs !== null && !seqs.delete(message.seq)) continue;
          exported++;
          if (!sink.write(message)) {
            await sink.drained();
            break;
          }
        }
        return handled;
      },
      started,
    );
    return { exported, state: info.state };
  }

  /** Puts the messages of `source` into a queue or through an exchange. 404 when the queue or exchange is missing. */
  async import(vhost: string, into: ImportTarget, source: ImportSource, started?: (operationId: number) => void): Promise<ImportResult> {
    const v = this.engine.vhost(vhost);
    const queue = 'queue' in into ? v.queue(into.queue) : null;
    if (!('queue' in into)) v.exchange(into.exchange); // 404 before anything is read
    const result: ImportResult = { imported: 0, refused: 0, unroutable: 0, state: 'running', operationId: 0 };
    const info = await this.engine.operations.run(
      { kind: 'import', vhost, queue: 'queue' in into ? into.queue : `exchange ${into.exchange}`, total: null },
      async (max) => {
        const batch = await source.next(max);
        if (batch.length === 0 || queue?.deleted) return 'finished';
        let taken = 0;
        const confirms: Promise<boolean>[] = [];
        for (const m of batch) {
          if (queue !== null) {
            if (queue.enqueue(new Message(v.nextMessageId(), m.exchange, m.routingKey, m.properties, m.body)) === REFUSED) result.refused++;
            else taken++;
            continue;
          }
          let confirmed: (ack: boolean) => void = () => {};
          const outcome = this.publish(vhost, (into as { exchange: string }).exchange, m.routingKey, m.properties, m.body, {
            onConfirm: (ack) => confirmed(ack),
          });
          if (outcome.unroutable) result.unroutable++;
          else if (outcome.confirm === 'nack') result.refused++;
          else if (outcome.confirm === 'deferred') confirms.push(new Promise((resolve) => (confirmed = resolve)));
          else taken++;
        }
        // Counted once on disk: the journal, and a stream's own files.
        await this.engine.stored();
        if (queue?.flush) await new Promise<void>((resolve, reject) => queue.flush!((error) => (error ? reject(error) : resolve())));
        for (const ack of await Promise.all(confirms)) {
          if (ack) taken++;
          else result.refused++;
        }
        result.imported += taken;
        return batch.length;
      },
      (id) => {
        result.operationId = id;
        started?.(id);
      },
    );
    result.state = info.state;
    return result;
  }
}
