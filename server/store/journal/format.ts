// The message journal on disk.
//
// Files: `<dataDir>/journal/NNNNNNNN.seg`, NNNNNNNN a decimal segment number
// (8 digits, increasing). Segments are append-only. A new segment starts at
// every open (a torn tail left by a crash is never written after) and when
// the current one passes the configured size.
//
// Segment = 8-byte header, then records back to back:
//
//   header   "WRNJ"  u8 version (1)  3 bytes zero
//   record   u32 length    bytes of type + payload
//            u32 crc32     CRC-32 (zlib) of type + payload
//            u8  type
//            payload
//
// All integers big-endian. str8 = u8 length + UTF-8 bytes (an AMQP short
// string). u64 = 8 bytes unsigned, exact up to 2^53.
//
//   1 QUEUE_NAME  u32 ref, str8 vhost, str8 queue
//                 Names `ref` for the rest of this segment only: every segment
//                 carries the names it uses, so each one decodes on its own.
//   2 MESSAGE     u64 id, str8 exchange, str8 routing key, u32 properties
//                 length, properties, u32 body length, body. Properties are
//                 the AMQP basic content-header property list (u16 flags + the
//                 fields present), the same compact binary form clients send.
//                 Written once per message however many queues hold it.
//   3 ENQUEUE     u32 ref, u64 seq, u64 message id
//   4 REMOVE      u32 ref, u64 seq            (ack, expiry, dead-letter, drop...)
//   5 MOVE        u32 from ref, u64 from seq, u32 to ref, u64 to seq, u64 message id
//                 A REMOVE and an ENQUEUE in one record, so a move is atomic.
//                 The id is the message entering `to`: the one `from` held,
//                 or a rewritten copy of it (a dead letter requeued, with its
//                 own MESSAGE record written before the MOVE).
//   6 DROP_QUEUE  u32 ref — every message of the queue recorded before this
//                 record is gone (purge, delete).
//   7 DELIVERED   u32 ref, u64 seq — the message at seq went to a consumer at
//                 least once, so it is recovered as redelivered. Not synced on
//                 its own: a crash may forget it (the flag is a hint).
//   8 ENQUEUE_EXPIRING  an ENQUEUE followed by u64 expires at
//   9 MOVE_EXPIRING     a MOVE followed by u64 expires at
//                 For a message with a deadline in its queue (x-message-ttl,
//                 expiration): epoch milliseconds at which it expires there,
//                 so that TTLs keep counting across a restart. Messages
//                 without one keep the short records (no cost when unused).
//                 Types 8 and 9 were added within version 1: journals written
//                 before them read as they always did (an entry without a
//                 deadline gets one counted from its recovery, see
//                 ClassicQueue.restore), but a Warren older than them stops
//                 reading a segment at the first one.
//
// Every type has a fixed payload size or, for QUEUE_NAME and MESSAGE, bounds
// (recordLengthFits): replay takes a frame only when its length fits its type
// and its CRC matches, which is also how it finds the next record after
// damaged bytes (segment-scan.ts).
//
// Replay applies records in file order, oldest segment first; a queue's live
// messages are then sorted by seq. An ENQUEUE may precede the MESSAGE record
// it names (compaction rewrites bodies into a newer segment), so messages
// are resolved at the end of the replay.
//
// Space: segments are deleted strictly oldest first, so a REMOVE always
// outlives the ENQUEUE it cancels. The oldest segment is deleted once none of
// its ENQUEUE/MESSAGE records is live any more; when the journal holds too
// much dead data, the oldest segment is compacted: its live records are
// rewritten into the current segment (an ENQUEUE followed by a DELIVERED when
// the message had been delivered), after which it is dead.

export const SEGMENT_MAGIC = Buffer.from('WRNJ', 'latin1');
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 8;
/** u32 length + u32 crc32. */
export const RECORD_FRAME_BYTES = 8;
/** Longest record replay accepts; a longer length field is corruption. */
export const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

export const RecordType = {
  QueueName: 1,
  Message: 2,
  Enqueue: 3,
  Remove: 4,
  Move: 5,
  DropQueue: 6,
  Delivered: 7,
  EnqueueExpiring: 8,
  MoveExpiring: 9,
} as const;

export const MAX_RECORD_TYPE = RecordType.MoveExpiring;

/** Size on disk of an ENQUEUE record: frame, type, ref, seq, id. */
export const ENQUEUE_RECORD_BYTES = RECORD_FRAME_BYTES + 1 + 4 + 8 + 8;

/** Length field (type + payload) of each type: exact, or [min, max] for the two variable ones. */
const RECORD_LENGTHS: readonly (number | readonly [number, number])[] = [
  0, // no type 0
  [1 + 4 + 1 + 1, 1 + 4 + 256 + 256], // QUEUE_NAME: ref, two short strings
  [1 + 8 + 1 + 1 + 4 + 2 + 4, MAX_RECORD_BYTES], // MESSAGE: id, two short strings, properties (flags at least), body
  1 + 4 + 8 + 8,
  1 + 4 + 8,
  1 + 4 + 8 + 4 + 8 + 8,
  1 + 4,
  1 + 4 + 8,
  1 + 4 + 8 + 8 + 8,
  1 + 4 + 8 + 4 + 8 + 8 + 8,
];

/** Whether a record of `type` can have this length field; false for unknown types. */
export function recordLengthFits(type: number, length: number): boolean {
  const expected = RECORD_LENGTHS[type];
  if (expected === undefined || expected === 0) return false;
  return typeof expected === 'number' ? length === expected : length >= expected[0] && length <= expected[1];
}

export function segmentHeader(): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header[4] = FORMAT_VERSION;
  return header;
}

export function segmentFileName(no: number): string {
  return `${String(no).padStart(8, '0')}.seg`;
}

/** The segment number of a journal file name, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{8,})\.seg$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
