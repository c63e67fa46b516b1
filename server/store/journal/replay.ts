// Recovery: reads every segment of the journal directory, oldest first,
// applies its records to a LiveIndex, and reports the live messages of each
// queue in seq order together with whatever had to be skipped.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Message } from '../../broker/message';
import { parseSegmentFileName, segmentFileName } from './format';
import type { LiveIndex, SegmentInfo } from './live-index';
import { RecordDecoder, type RecordVisitor } from './record-codec';
import { scanSegment, type SkipReason } from './segment-scan';

export interface SkippedBytes {
  /** Segment file name. */
  segment: string;
  offset: number;
  bytes: number;
  reason: SkipReason;
  detail: string;
}

export interface RecoveredMessage {
  readonly seq: number;
  readonly message: Message;
  /** It had gone to a consumer before (a DELIVERED record): deliver it as redelivered. */
  readonly redelivered: boolean;
}

export interface RecoveredQueue {
  readonly vhost: string;
  readonly name: string;
  /** Live messages in seq order. */
  readonly messages: RecoveredMessage[];
}

export interface Recovery {
  queues: RecoveredQueue[];
  /** Queue entries recovered, over all queues. */
  messages: number;
  /** Highest message id found; the engine must number new messages above it. */
  maxMessageId: number;
  segmentsRead: number;
  recordsRead: number;
  bytesRead: number;
  /** Regions that could not be read: a torn tail, a CRC mismatch, a bad record. */
  skipped: SkippedBytes[];
  /** Queue entries dropped because their MESSAGE record was lost with skipped bytes. */
  orphanedEntries: number;
  durationMs: number;
}

/** Segment numbers present in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  const numbers: number[] = [];
  for (const name of readdirSync(dir)) {
    const no = parseSegmentFileName(name);
    if (no !== undefined) numbers.push(no);
  }
  return numbers.sort((a, b) => a - b);
}

export function replay(dir: string, index: LiveIndex): Recovery {
  const started = performance.now();
  const recovery: Recovery = {
    queues: [],
    messages: 0,
    maxMessageId: 0,
    segmentsRead: 0,
    recordsRead: 0,
    bytesRead: 0,
    skipped: [],
    orphanedEntries: 0,
    durationMs: 0,
  };
  const decoder = new RecordDecoder();
  for (const no of listSegments(dir)) {
    const buf = readFileSync(join(dir, segmentFileName(no)));
    const segment = index.addSegment(no, buf.length);
    recovery.segmentsRead++;
    recovery.bytesRead += buf.length;
    if (buf.length === 0) continue; // created just before a crash, nothing written yet
    const result = scanSegment(buf, segmentVisitor(index, segment, recovery), decoder);
    recovery.recordsRead += result.records;
    if (result.skipped) recovery.skipped.push({ segment: segmentFileName(no), ...result.skipped });
  }
  recovery.orphanedEntries = index.finishReplay();
  copyBodiesOutOfSparseSegments(index);
  for (const queue of index.queues()) {
    const messages: RecoveredMessage[] = [];
    index.forEachQueued(queue, (seq, message, redelivered) => messages.push({ seq, message, redelivered }));
    recovery.queues.push({ vhost: queue.vhost, name: queue.name, messages });
    recovery.messages += messages.length;
  }
  recovery.durationMs = performance.now() - started;
  return recovery;
}

/**
 * Recovered bodies are views into the bytes read from each segment. Where the
 * live bodies fill less than half of those bytes, they are copied into one
 * new buffer per segment so that the dead rest can be freed.
 */
function copyBodiesOutOfSparseSegments(index: LiveIndex): void {
  const liveBytes = new Map<ArrayBufferLike, number>();
  index.forEachHeldMessage((_row, { body }) => liveBytes.set(body.buffer, (liveBytes.get(body.buffer) ?? 0) + body.length));
  const copies = new Map<ArrayBufferLike, { into: Buffer; at: number }>();
  for (const [buffer, bytes] of liveBytes) {
    if (bytes < buffer.byteLength / 2) copies.set(buffer, { into: Buffer.allocUnsafeSlow(bytes), at: 0 });
  }
  if (copies.size === 0) return;
  index.forEachHeldMessage((row, old) => {
    const copy = copies.get(old.body.buffer);
    if (!copy) return;
    const at = copy.at;
    copy.at += old.body.copy(copy.into, at);
    index.replaceMessage(row, new Message(old.id, old.exchange, old.routingKey, old.properties, copy.into.subarray(at, copy.at)));
  });
}

/** Applies one segment's records; queue refs are resolved by that segment's QUEUE_NAME records. */
function segmentVisitor(index: LiveIndex, segment: SegmentInfo, recovery: Recovery): RecordVisitor {
  const names = new Map<number, { vhost: string; queue: string }>();
  const named = (ref: number) => {
    const name = names.get(ref);
    if (!name) throw new RangeError(`queue ref ${ref} used before its QUEUE_NAME record`);
    return name;
  };
  return {
    queueName(ref, vhost, queue) {
      names.set(ref, { vhost, queue });
    },
    message(message, bytes) {
      index.placeMessage(index.messageRow(message.id), message, segment, bytes);
      if (message.id > recovery.maxMessageId) recovery.maxMessageId = message.id;
    },
    enqueue(ref, seq, messageId) {
      const { vhost, queue } = named(ref);
      index.enqueue(index.queueOrCreate(vhost, queue), seq, index.messageRow(messageId), segment);
    },
    remove(ref, seq) {
      const { vhost, queue } = named(ref);
      const state = index.queue(vhost, queue);
      if (state) index.remove(state, seq);
    },
    move(fromRef, fromSeq, toRef, toSeq, messageId) {
      const from = named(fromRef);
      const to = named(toRef);
      // Enqueue first: removing first could release the message's last reference.
      index.enqueue(index.queueOrCreate(to.vhost, to.queue), toSeq, index.messageRow(messageId), segment);
      const source = index.queue(from.vhost, from.queue);
      if (source && !(fromRef === toRef && fromSeq === toSeq)) index.remove(source, fromSeq);
    },
    dropQueue(ref) {
      const { vhost, queue } = named(ref);
      const state = index.queue(vhost, queue);
      if (state) index.dropQueue(state);
    },
    delivered(ref, seq) {
      const { vhost, queue } = named(ref);
      const state = index.queue(vhost, queue);
      if (state) index.markDelivered(state, seq);
    },
  };
}
