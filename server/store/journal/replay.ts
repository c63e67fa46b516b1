// Recovery: reads every segment of the journal directory, oldest first,
// applies its records to a LiveIndex, and reports the live messages of each
// queue in seq order together with whatever had to be skipped and what was
// lost with damaged bytes: queue entries whose MESSAGE record was damaged
// (known exactly: the ENQUEUE names queue, seq and message), and messages
// whose MESSAGE record was read right before damaged bytes and that no queue
// holds afterwards (their ENQUEUE was most likely in those bytes).

import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type Message, SlabMessage } from '../../broker/message';
import { parseSegmentFileName, segmentFileName } from './format';
import type { LiveIndex, SegmentInfo } from './live-index';
import { RecordDecoder, type RecordVisitor } from './record-codec';
import { scanSegment, type SkippedRegion } from './segment-scan';

export interface SkippedBytes extends SkippedRegion {
  /** Segment file name. */
  segment: string;
}

/** A queue entry that could not come back: its message's record was in damaged bytes. */
export interface LostEntry {
  vhost: string;
  queue: string;
  seq: number;
  messageId: number;
}

export interface RecoveredMessage {
  readonly seq: number;
  readonly message: Message;
  /** It had gone to a consumer before (a DELIVERED record): deliver it as redelivered. */
  readonly redelivered: boolean;
  /** Epoch ms at which it expires in its queue; 0 when the journal has no deadline for it. */
  readonly expiresAt: number;
}

/**
 * A queue's live messages in seq order, read from the journal's index each
 * time they are visited: replay keeps no list of them (an object per message
 * would add 80 bytes to each at the peak of a restart). What it visits is the
 * index as it is then: visit before writing to the journal, except to remove
 * the message being visited.
 */
export interface RecoveredMessages {
  /** How many there were at the end of replay. */
  readonly length: number;
  forEach(visit: (message: RecoveredMessage) => void): void;
}

export interface RecoveredQueue {
  readonly vhost: string;
  readonly name: string;
  readonly messages: RecoveredMessages;
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
  /** Queue entries dropped because their MESSAGE record was lost with damaged bytes. */
  lostEntries: LostEntry[];
  /** Messages read right before damaged bytes that no queue holds: their ENQUEUE was most likely lost. */
  lostMessageIds: number[];
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
    lostEntries: [],
    lostMessageIds: [],
    durationMs: 0,
  };
  const decoder = new RecordDecoder();
  const files = new SegmentFileReader();
  const suspects: number[] = [];
  for (const no of listSegments(dir)) {
    const buf = files.read(join(dir, segmentFileName(no)));
    const segment = index.addSegment(no, buf.length);
    recovery.segmentsRead++;
    recovery.bytesRead += buf.length;
    if (buf.length === 0) continue; // created just before a crash, nothing written yet
    const visitor = segmentVisitor(index, segment, recovery);
    const result = scanSegment(buf, visitor, decoder, (region) => {
      recovery.skipped.push({ segment: segmentFileName(no), ...region });
      if (region.reason === 'torn') return; // an unconfirmed end: nothing lost
      const before = visitor.takeUnqueuedMessage();
      if (before >= 0) suspects.push(before);
    });
    recovery.recordsRead += result.records;
  }
  recovery.lostEntries = index.finishReplay();
  recovery.lostMessageIds = suspects.filter((id) => index.findMessage(id) < 0);
  copyBodiesOutOfSparseSlabs(index);
  for (const queue of index.queues()) {
    const messages: RecoveredMessages = {
      length: queue.entries.size,
      forEach: (visit) => index.forEachQueued(queue, (seq, message, redelivered, expiresAt) => visit({ seq, message, redelivered, expiresAt })),
    };
    recovery.queues.push({ vhost: queue.vhost, name: queue.name, messages });
    recovery.messages += messages.length;
  }
  recovery.durationMs = performance.now() - started;
  return recovery;
}

/**
 * Recovered bodies sit in the decoder's slabs (body-slabs.ts), dead ones too
 * (removed by a later record). Where the live bodies fill less than half of a
 * slab, they are copied into one new buffer per slab so that the dead rest
 * can be freed.
 */
function copyBodiesOutOfSparseSlabs(index: LiveIndex): void {
  const liveBytes = new Map<Buffer, number>();
  index.forEachHeldMessage((_row, message) => {
    if (message instanceof SlabMessage) liveBytes.set(message.slab, (liveBytes.get(message.slab) ?? 0) + message.bodySize);
  });
  const copies = new Map<Buffer, { into: Buffer; at: number }>();
  for (const [slab, bytes] of liveBytes) {
    if (bytes < slab.length / 2) copies.set(slab, { into: Buffer.allocUnsafeSlow(bytes), at: 0 });
  }
  if (copies.size === 0) return;
  index.forEachHeldMessage((row, old) => {
    if (!(old instanceof SlabMessage)) return;
    const copy = copies.get(old.slab);
    if (!copy) return;
    const at = copy.at;
    copy.at += old.slab.copy(copy.into, at, old.bodyOffset, old.bodyOffset + old.bodySize);
    index.replaceMessage(row, new SlabMessage(old.id, old.exchange, old.routingKey, old.properties, copy.into, at, old.bodySize));
  });
}

/**
 * Reads segment files into one buffer, reused from file to file. A buffer
 * per file would be 64 MB of array-buffer memory per segment, and V8 starts
 * a full collection of the heap for every 64 MB or so of such memory
 * allocated: recovering 10M messages spent a third of its time in them.
 * Nothing decoded keeps a view of the bytes read (bodies go to slabs, field
 * values and cache keys are copied), so one file's bytes may overwrite the last's.
 */
class SegmentFileReader {
  private buffer = Buffer.allocUnsafeSlow(0);

  /** The file's bytes, valid until the next read. */
  read(path: string): Buffer {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, this.buffer, got, size - got, got);
        if (n === 0) break; // shrank meanwhile: only what is there
        got += n;
      }
      return this.buffer.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Applies one segment's records; queue refs are resolved by that segment's
 * QUEUE_NAME records. Also remembers the last MESSAGE record not yet named by
 * an ENQUEUE or MOVE (one is normally right after it).
 */
function segmentVisitor(index: LiveIndex, segment: SegmentInfo, recovery: Recovery): RecordVisitor & { takeUnqueuedMessage(): number } {
  const names = new Map<number, { vhost: string; queue: string }>();
  const named = (ref: number) => {
    const name = names.get(ref);
    if (!name) throw new RangeError(`queue ref ${ref} used before its QUEUE_NAME record`);
    return name;
  };
  let unqueued = -1;
  return {
    takeUnqueuedMessage() {
      const id = unqueued;
      unqueued = -1;
      return id;
    },
    queueName(ref, vhost, queue) {
      names.set(ref, { vhost, queue });
    },
    message(message, bytes) {
      index.placeMessage(index.messageRow(message.id), message, segment, bytes);
      if (message.id > recovery.maxMessageId) recovery.maxMessageId = message.id;
      unqueued = message.id;
    },
    enqueue(ref, seq, messageId, expiresAt) {
      const { vhost, queue } = named(ref);
      index.enqueue(index.queueOrCreate(vhost, queue), seq, index.messageRow(messageId), segment, expiresAt);
      if (messageId === unqueued) unqueued = -1;
    },
    remove(ref, seq) {
      const { vhost, queue } = named(ref);
      const state = index.queue(vhost, queue);
      if (state) index.remove(state, seq);
    },
    move(fromRef, fromSeq, toRef, toSeq, messageId, expiresAt) {
      const from = named(fromRef);
      const to = named(toRef);
      if (messageId === unqueued) unqueued = -1;
      // Enqueue first: removing first could release the message's last reference.
      index.enqueue(index.queueOrCreate(to.vhost, to.queue), toSeq, index.messageRow(messageId), segment, expiresAt);
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
