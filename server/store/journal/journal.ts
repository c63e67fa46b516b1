// The message journal: durable record of the persistent messages of durable
// queues (file format: format.ts). `Journal.open` replays the directory and
// starts a new segment; the journal then records every change with one
// appended record and keeps its LiveIndex current, `flush` answers after the
// group-commit sync that covers everything recorded so far (segment-writer.ts),
// and after every sync the reclaimer deletes or compacts old segments.
//
// Message ids: a message is written once (MESSAGE record) while any queue
// holds it, and ENQUEUE records refer to it by `message.id`. Ids must stay
// unique across restarts: the engine numbers new messages above
// `recovery.maxMessageId` and keeps using the recovered Message objects.
// Seqs: a queue's recovered messages keep their seqs, and new ones must not
// reuse a seq the queue still holds. Both mistakes would silently replace
// kept messages, so they throw instead.
//
// A full disk: when a write fails for want of space, records wait in memory
// and the write is retried (segment-writer.ts); the journal gives back the
// disk reserve at once (disk-reserve.ts), so that acks and compaction copies
// can be written and dead segments deleted, and creates it again once there
// is room. A DiskWatcher (the disk alarm) hears of every write and of the
// full disk, so that publishers are blocked before the disk fills at any
// write rate, and while it is full.

import { mkdirSync } from 'node:fs';
import type { BucketCounts } from '../../broker/bucket-counts';
import type { Message } from '../../broker/message';
import type { DiskReserve } from '../disk-reserve';
import { LiveIndex, type QueueState } from './live-index';
import { Reclaimer, type CompactionPolicy } from './reclaimer';
import { writeDelivered, writeDropQueue, writeEnqueue, writeMessage, writeMove, writeQueueName, writeRemove } from './record-codec';
import { replay, type Recovery } from './replay';
import { SegmentWriter, type FlushCallback } from './segment-writer';

export interface JournalOptions {
  /** A segment is closed and a new one started past this size. Default 64 MiB. */
  segmentBytes?: number;
  /** When to compact the oldest segment. Default: disk > 2 × live + 2 segments. */
  compaction?: Partial<CompactionPolicy>;
  /** Space given back when the disk is full, and taken again once there is room. None by default. */
  reserve?: DiskReserve;
}

/** Told about the journal's use of the disk (the disk alarm). */
export interface DiskWatcher {
  /** `bytes` were written to a segment file. */
  written(bytes: number): void;
  /** Writes wait for disk space (true) or go through again (false). */
  outOfSpace(full: boolean): void;
}

/** How often, at most, the journal tries to create its missing disk reserve. */
const RESERVE_RETRY_MS = 1000;

export interface JournalStats {
  segments: number;
  diskBytes: number;
  liveBytes: number;
  /** Distinct messages held by at least one queue. */
  messages: number;
  fsyncs: number;
  writes: number;
  bytesWritten: number;
  segmentsDeleted: number;
  compactions: number;
  recordsRewritten: number;
  /** The last error met while deleting segments (retried after every sync). */
  reclaimError?: string;
  /** Set while writes wait for disk space: the error of the write that failed. */
  outOfSpace?: string;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

export class Journal {
  private readonly writer: SegmentWriter;
  private readonly reclaimer: Reclaimer;
  private readonly reserve: DiskReserve | undefined;
  private reserveTriedAt = 0;
  private diskWatcher: DiskWatcher | null = null;

  private constructor(
    dir: string,
    private readonly index: LiveIndex,
    options: JournalOptions,
  ) {
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    const policy: CompactionPolicy = { factor: 2, slackBytes: 2 * segmentBytes, ...options.compaction };
    this.reserve = options.reserve;
    this.writer = new SegmentWriter(dir, index, segmentBytes, {
      synced: () => {
        this.reclaimer.afterSync();
        this.keepReserve();
      },
      written: (bytes) => this.diskWatcher?.written(bytes),
      outOfSpace: (full) => {
        if (full && this.reserve?.release()) this.writer.retrySoon();
        this.diskWatcher?.outOfSpace(full);
      },
    });
    this.reclaimer = new Reclaimer(
      dir,
      index,
      this.writer,
      {
        rewriteMessage: (row) => this.rewriteMessage(row),
        rewriteEntry: (entry) => this.rewriteEntry(entry),
      },
      policy,
    );
  }

  /**
   * Replays the journal in `dir` (created when missing; main passes
   * `<dataDir>/journal`) and opens a new segment after the last one.
   */
  static open(dir: string, options: JournalOptions = {}): { journal: Journal; recovery: Recovery } {
    mkdirSync(dir, { recursive: true });
    const index = new LiveIndex();
    const recovery = replay(dir, index);
    const journal = new Journal(dir, index, options);
    const last = index.segments[index.segments.length - 1];
    journal.writer.openSegment(last ? last.no + 1 : 1);
    journal.writer.syncDirectory();
    journal.keepReserve();
    return { journal, recovery };
  }

  /** Tells `watcher` about every write and about a full disk from now on (and now, when full already). */
  watchDisk(watcher: DiskWatcher | null): void {
    this.diskWatcher = watcher;
    if (watcher && this.writer.outOfSpace) watcher.outOfSpace(true);
  }

  /**
   * `message` entered queue `queue` at `seq`. Its body is written unless
   * another queue already holds it. `expiresAt`: epoch ms at which it expires
   * in that queue (TTL), 0 for never.
   */
  enqueue(vhost: string, queue: string, seq: number, message: Message, expiresAt = 0): void {
    const state = this.index.queueOrCreate(vhost, queue);
    if (this.index.queuedMessage(state, seq) >= 0) throw new RangeError(`queue '${queue}' already holds a message at seq ${seq}`);
    const deadline = Math.round(expiresAt);
    this.nameQueue(state);
    const row = this.messageRowFor(message);
    this.append(writeEnqueue(this.writer.out, state.ref, seq, message.id, deadline));
    this.index.enqueue(state, seq, row, this.writer.current, deadline);
  }

  /** The message at `seq` left the queue for good. False (and nothing written) when the journal did not hold it. */
  remove(vhost: string, queue: string, seq: number): boolean {
    const state = this.index.queue(vhost, queue);
    if (!state || this.index.queuedMessage(state, seq) < 0) return false;
    this.nameQueue(state);
    this.append(writeRemove(this.writer.out, state.ref, seq));
    this.index.remove(state, seq);
    return true;
  }

  /**
   * Moves a held message to another queue of the vhost, atomically (one MOVE
   * record). `message`, when given, is what enters the target instead: a
   * rewritten copy of the held one (a dead letter requeued with new headers,
   * under a new id). Its MESSAGE record is written first; a crash before the
   * MOVE leaves that record unreferenced and the original in its queue.
   * `expiresAt` is the message's deadline in the target, as for enqueue.
   * False (and nothing written) when the journal did not hold the message.
   */
  move(vhost: string, fromQueue: string, fromSeq: number, toQueue: string, toSeq: number, message?: Message, expiresAt = 0): boolean {
    const from = this.index.queue(vhost, fromQueue);
    const row = from ? this.index.queuedMessage(from, fromSeq) : -1;
    if (!from || row < 0) return false;
    const to = this.index.queueOrCreate(vhost, toQueue);
    if (from === to && fromSeq === toSeq) return true;
    if (this.index.queuedMessage(to, toSeq) >= 0) throw new RangeError(`queue '${toQueue}' already holds a message at seq ${toSeq}`);
    this.nameQueue(from);
    this.nameQueue(to);
    const toRow = message === undefined ? row : this.messageRowFor(message);
    const deadline = Math.round(expiresAt);
    this.append(writeMove(this.writer.out, from.ref, fromSeq, to.ref, toSeq, this.index.message(toRow)!.id, deadline));
    this.index.enqueue(to, toSeq, toRow, this.writer.current, deadline);
    this.index.remove(from, fromSeq);
    return true;
  }

  /**
   * The message at `seq` went to a consumer, so that after a restart it comes
   * back redelivered. Only the first call per message writes a record; none
   * waits for a sync.
   */
  delivered(vhost: string, queue: string, seq: number): void {
    const state = this.index.queue(vhost, queue);
    if (!state || !this.index.markDelivered(state, seq)) return;
    this.nameQueue(state);
    this.append(writeDelivered(this.writer.out, state.ref, seq));
  }

  /** Every message of the queue is gone (purge or delete). */
  dropQueue(vhost: string, queue: string): void {
    const state = this.index.queue(vhost, queue);
    if (!state) return;
    this.nameQueue(state);
    this.append(writeDropQueue(this.writer.out, state.ref));
    this.index.dropQueue(state);
  }

  /** Bytes of records appended since the journal opened: grows with every record. */
  get appendedBytes(): number {
    return this.writer.appendedBytes;
  }

  /** Calls `done` once everything recorded so far is on disk; many calls share one sync. */
  flush(done: FlushCallback): void {
    this.writer.flush(done);
  }

  /** Syncs what is left and closes the files. */
  async close(): Promise<void> {
    this.reclaimer.stop();
    await this.writer.close();
  }

  /** Each commit's fdatasync latency in seconds, since the journal opened (read by /metrics). */
  get syncLatency(): BucketCounts {
    return this.writer.syncLatency;
  }

  stats(): JournalStats {
    return {
      segments: this.index.segments.length,
      diskBytes: this.index.diskBytes,
      liveBytes: this.index.liveBytes,
      messages: this.index.liveMessages,
      ...this.writer.counters,
      ...this.reclaimer.counters,
      ...(this.writer.outOfSpace ? { outOfSpace: this.writer.outOfSpace.message } : {}),
    };
  }

  /** Creates the disk reserve when it is missing, there is room, and the last try was a while ago. */
  private keepReserve(): void {
    const reserve = this.reserve;
    if (!reserve || reserve.held || this.writer.outOfSpace || Date.now() - this.reserveTriedAt < RESERVE_RETRY_MS) return;
    this.reserveTriedAt = Date.now();
    reserve.ensure();
  }

  /** Compaction: a copy of a live MESSAGE record, in the current segment. */
  private rewriteMessage(row: number): void {
    const message = this.index.message(row)!;
    const bytes = writeMessage(this.writer.out, message);
    this.index.placeMessage(row, message, this.writer.current, bytes);
    this.append(bytes);
  }

  /** Compaction: a copy of a live ENQUEUE record (and its DELIVERED), in the current segment. */
  private rewriteEntry(entry: number): void {
    const { queue, seq, messageId, delivered, expiresAt } = this.index.entry(entry)!;
    this.nameQueue(queue);
    this.append(writeEnqueue(this.writer.out, queue.ref, seq, messageId, expiresAt));
    if (delivered) this.append(writeDelivered(this.writer.out, queue.ref, seq));
    this.index.relocateEntry(entry, this.writer.current);
  }

  /** The message's row, its MESSAGE record written first unless the journal holds it already. */
  private messageRowFor(message: Message): number {
    let row = this.index.findMessage(message.id);
    if (row < 0) {
      const bytes = writeMessage(this.writer.out, message);
      row = this.index.messageRow(message.id);
      this.index.placeMessage(row, message, this.writer.current, bytes);
      this.append(bytes);
    } else if (this.index.message(row) !== message) {
      throw new RangeError(`message id ${message.id} is already in the journal for another message`);
    }
    return row;
  }

  /** Records that name a queue by ref need its QUEUE_NAME record in the same segment. */
  private nameQueue(queue: QueueState): void {
    if (queue.namedIn === this.writer.current) return;
    this.append(writeQueueName(this.writer.out, queue.ref, queue.vhost, queue.name));
    queue.namedIn = this.writer.current;
  }

  private append(bytes: number): void {
    this.writer.recordAppended(bytes);
  }
}
