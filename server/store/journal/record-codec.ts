// Encoding and decoding of journal records (layout: format.ts). Encoders
// append one framed record (length, CRC, type, payload) to an AMQP codec
// Writer and return its size on disk; the decoder hands the payload of one
// record, CRC already checked, to a visitor so replay allocates nothing but
// the values it keeps.

import type { Reader } from '../../amqp/codec/reader';
import type { Writer } from '../../amqp/codec/writer';
import type { Message } from '../../broker/message';
import { BodySlabs } from './body-slabs';
import { crc32 } from './crc32';
import { EnvelopeDecoder, writeEnvelope } from '../envelope';
import { RECORD_FRAME_BYTES, RecordType } from './format';

function beginRecord(w: Writer, type: number): number {
  const mark = w.mark();
  w.ensure(RECORD_FRAME_BYTES + 1);
  w.pos += RECORD_FRAME_BYTES; // length and CRC are filled in by endRecord
  w.octet(type);
  return mark;
}

/** Where `mark` is in w.buf: a mark is a logical offset, and mark() - pos is the logical offset of buf[0]. */
function bufferPosition(w: Writer, mark: number): number {
  return mark - (w.mark() - w.pos);
}

/** Takes back a record whose encoding failed half way, so that no partial record is ever written. */
function abandonRecord(w: Writer, mark: number): void {
  w.pos = bufferPosition(w, mark);
}

function endRecord(w: Writer, mark: number): number {
  const start = bufferPosition(w, mark);
  const length = w.pos - start - RECORD_FRAME_BYTES;
  w.buf.writeUInt32BE(length, start);
  w.buf.writeUInt32BE(crc32(w.buf, start + RECORD_FRAME_BYTES, w.pos), start + 4);
  return RECORD_FRAME_BYTES + length;
}

export function writeQueueName(w: Writer, ref: number, vhost: string, queue: string): number {
  const mark = beginRecord(w, RecordType.QueueName);
  try {
    w.long(ref);
    w.shortstr(vhost);
    w.shortstr(queue);
  } catch (error) {
    abandonRecord(w, mark);
    throw error;
  }
  return endRecord(w, mark);
}

/** Throws (writing nothing) when a string does not fit a short string. */
export function writeMessage(w: Writer, m: Message): number {
  const mark = beginRecord(w, RecordType.Message);
  try {
    w.longlong(m.id);
    writeEnvelope(w, m.exchange, m.routingKey, m.properties);
    w.longstr(m.body);
  } catch (error) {
    abandonRecord(w, mark);
    throw error;
  }
  return endRecord(w, mark);
}

/** `expiresAt`: epoch ms at which the message expires in the queue, 0 for never (the shorter ENQUEUE record). */
export function writeEnqueue(w: Writer, ref: number, seq: number, messageId: number, expiresAt = 0): number {
  const mark = beginRecord(w, expiresAt === 0 ? RecordType.Enqueue : RecordType.EnqueueExpiring);
  w.long(ref);
  w.longlong(seq);
  w.longlong(messageId);
  if (expiresAt !== 0) w.longlong(expiresAt);
  return endRecord(w, mark);
}

export function writeRemove(w: Writer, ref: number, seq: number): number {
  const mark = beginRecord(w, RecordType.Remove);
  w.long(ref);
  w.longlong(seq);
  return endRecord(w, mark);
}

/** `expiresAt`: as for writeEnqueue, the deadline of the message in the target queue. */
export function writeMove(w: Writer, fromRef: number, fromSeq: number, toRef: number, toSeq: number, messageId: number, expiresAt = 0): number {
  const mark = beginRecord(w, expiresAt === 0 ? RecordType.Move : RecordType.MoveExpiring);
  w.long(fromRef);
  w.longlong(fromSeq);
  w.long(toRef);
  w.longlong(toSeq);
  w.longlong(messageId);
  if (expiresAt !== 0) w.longlong(expiresAt);
  return endRecord(w, mark);
}

export function writeDropQueue(w: Writer, ref: number): number {
  const mark = beginRecord(w, RecordType.DropQueue);
  w.long(ref);
  return endRecord(w, mark);
}

export function writeDelivered(w: Writer, ref: number, seq: number): number {
  const mark = beginRecord(w, RecordType.Delivered);
  w.long(ref);
  w.longlong(seq);
  return endRecord(w, mark);
}

/**
 * Receives decoded records; `bytes` is the MESSAGE record's size on disk
 * (ENQUEUE records have a fixed size); `expiresAt` is 0 for the records
 * without a deadline.
 */
export interface RecordVisitor {
  queueName(ref: number, vhost: string, queue: string): void;
  message(message: Message, bytes: number): void;
  enqueue(ref: number, seq: number, messageId: number, expiresAt: number): void;
  remove(ref: number, seq: number): void;
  move(fromRef: number, fromSeq: number, toRef: number, toSeq: number, messageId: number, expiresAt: number): void;
  dropQueue(ref: number): void;
  delivered(ref: number, seq: number): void;
}

/**
 * Decodes records for one replay. Strings and property lists repeated from
 * record to record are decoded once and shared (decode-cache.ts); bodies are
 * copied into shared slabs (body-slabs.ts).
 */
export class RecordDecoder {
  private readonly envelope = new EnvelopeDecoder();
  private readonly bodies = new BodySlabs();

  /**
   * Decodes the record whose type byte is at r.pos and whose payload ends at
   * r.end. Throws (CodecError or RangeError) when the payload does not match
   * its type: the caller treats that as corruption.
   */
  decode(r: Reader, v: RecordVisitor): void {
    const bytes = RECORD_FRAME_BYTES + r.remaining;
    const type = r.octet();
    switch (type) {
      case RecordType.QueueName:
        v.queueName(r.long(), this.envelope.shortstr(r), this.envelope.shortstr(r));
        break;
      case RecordType.Message: {
        const id = r.longlong();
        const exchange = this.envelope.shortstr(r);
        const routingKey = this.envelope.shortstr(r);
        const properties = this.envelope.messageProperties(r);
        const length = r.long();
        r.need(length);
        v.message(this.bodies.message(id, exchange, routingKey, properties, r.buf, r.pos, (r.pos += length)), bytes);
        break;
      }
      case RecordType.Enqueue:
        v.enqueue(r.long(), r.longlong(), r.longlong(), 0);
        break;
      case RecordType.EnqueueExpiring:
        v.enqueue(r.long(), r.longlong(), r.longlong(), r.longlong());
        break;
      case RecordType.Remove:
        v.remove(r.long(), r.longlong());
        break;
      case RecordType.Move:
        v.move(r.long(), r.longlong(), r.long(), r.longlong(), r.longlong(), 0);
        break;
      case RecordType.MoveExpiring:
        v.move(r.long(), r.longlong(), r.long(), r.longlong(), r.longlong(), r.longlong());
        break;
      case RecordType.DropQueue:
        v.dropQueue(r.long());
        break;
      case RecordType.Delivered:
        v.delivered(r.long(), r.longlong());
        break;
      default:
        throw new RangeError(`unknown record type ${type}`);
    }
    if (r.remaining !== 0) throw new RangeError(`record type ${type} has ${r.remaining} unexpected trailing bytes`);
  }
}
