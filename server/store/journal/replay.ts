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

/** Bytes of a segment file read and scanned at a time (segments are 64 MB by default). */
const WINDOW_BYTES = 4 << 20;

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
  const files = new SegmentFileScanner();
  const suspects: number[] = [];
  for (const no of listSegments(dir)) {
    files.open(join(dir, segmentFileName(no)));
    try {
      const segment = index.addSegment(no, files.size);
      recovery.segmentsRead++;
      recovery.bytesRead += files.size;
      if (files.size === 0) continue; // created just before a crash, nothing written yet
      const visitor = segmentVisitor(index, segment, recovery);
      recovery.recordsRead += files.scan(visitor, decoder, (region) => {
        recovery.skipped.push({ segment: segmentFileName(no), ...region });
        if (region.reason === 'torn') return; // an unconfirmed end: nothing lost
        const before = visitor.takeUnqueuedMessage();
        if (before >= 0) suspects.push(before);
      });
    } finally {
      files.close();
    }
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
 * Scans segment files through one window of WINDOW_BYTES, reused from part
 * to part and file to file. A buffer the size of a segment (64 MB) would stay
 * allocated until V8 next collected garbage, which an idle broker that has
 * just recovered may not do for a long time: 64 bytes more RSS per message
 * with a million queued. Nothing decoded keeps a view of the bytes read
 * (bodies go to slabs, field values and cache keys are copied), so one
 * part's bytes may overwrite the last's. Where a record does not fit in a
 * window, or is damaged, the rest of the file is read at once and scanned
 * as a whole (segment-scan.ts resynchronises on it).
 */
class SegmentFileScanner {
  private readonly window = Buffer.allocUnsafeSlow(WINDOW_BYTES);
  private fd = -1;
  /** Size of the open file. */
  size = 0;

  open(path: string): void {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Applies the open file's records to `visitor`; returns how many there were. */
  scan(visitor: RecordVisitor, decoder: RecordDecoder, onSkip: (region: SkippedRegion) => void): number {
    let records = 0;
    let offset = 0;
    while (offset < this.size) {
      const wanted = Math.min(this.size - offset, this.window.length);
      const buf = this.read(this.window, wanted, offset);
      const more = buf.length === wanted && offset + wanted < this.size;
      const result = scanSegment(buf, visitor, decoder, onSkip, { offset, more });
      records += result.records;
      if (!more) break;
      if (result.end === 0) {
        const rest = this.read(Buffer.allocUnsafeSlow(this.size - offset), this.size - offset, offset);
        return records + scanSegment(rest, visitor, decoder, onSkip, { offset, more: false }).records;
      }
      offset += result.end;
    }
    return records;
  }

  /** Up to `bytes` bytes from `position` into `into`: fewer where the file shrank meanwhile. */
  private read(into: Buffer, bytes: number, position: number): Buffer {
    let got = 0;
    while (got < bytes) {
      const n = readSync(this.fd, into, got, bytes - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return into.subarray(0, got);
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
