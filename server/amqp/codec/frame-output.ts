import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, writeBasicProperties, type BasicProperties } from './generated/spec';
import { Writer } from './writer';

/**
 * Outgoing frames of one connection, batched until the connection flushes
 * them (once per event-loop turn) as a list of segments for one corked write.
 *
 * Segments are views into the Writer's slab, plus large message bodies
 * referenced as they are (not copied). The segment list is in wire order:
 * whenever a body is referenced, the slab bytes before it are cut into a
 * segment of their own first.
 */

/** Bodies up to this size are copied into the slab; larger ones are referenced. */
const COPY_BODY_LIMIT = 16 * 1024;
const FRAME_OVERHEAD = 8;

export class FrameOutput {
  private readonly w = new Writer();
  private segments: Buffer[] = [];
  private queuedBytes = 0;

  /** Bytes queued and not yet taken. */
  get pending(): number {
    return this.queuedBytes + this.w.pending;
  }

  /** Writes one method frame; `write` is a generated encoder. */
  method<T>(channel: number, write: (w: Writer, args: T) => void, args: T): void {
    const w = this.w;
    w.ensure(7);
    w.octet(FRAME_METHOD);
    w.short(channel);
    const sizeMark = w.mark();
    w.long(0);
    const start = w.mark();
    write(w, args);
    w.patchLong(sizeMark, w.mark() - start);
    w.octet(FRAME_END);
  }

  /**
   * Writes a content header and the body frames. `encodedProperties`, when
   * given, are the property flags and values exactly as a publisher sent them
   * (re-sent without re-encoding); otherwise `properties` are encoded.
   */
  content(channel: number, classId: number, properties: BasicProperties, body: Buffer, frameMax: number, encodedProperties?: Buffer): void {
    const w = this.w;
    w.octet(FRAME_HEADER);
    w.short(channel);
    const sizeMark = w.mark();
    w.long(0);
    const start = w.mark();
    w.short(classId);
    w.short(0); // weight
    w.longlong(body.length);
    if (encodedProperties) w.bytes(encodedProperties);
    else writeBasicProperties(w, properties);
    w.patchLong(sizeMark, w.mark() - start);
    w.octet(FRAME_END);

    const maxPayload = frameMax - FRAME_OVERHEAD;
    for (let offset = 0; offset < body.length; offset += maxPayload) {
      const part = body.length <= maxPayload ? body : body.subarray(offset, Math.min(body.length, offset + maxPayload));
      w.octet(FRAME_BODY);
      w.short(channel);
      w.long(part.length);
      if (part.length <= COPY_BODY_LIMIT) {
        w.bytes(part);
      } else {
        this.cut();
        this.segments.push(part);
        this.queuedBytes += part.length;
      }
      w.octet(FRAME_END);
    }
  }

  heartbeat(): void {
    const w = this.w;
    w.ensure(8);
    w.octet(FRAME_HEARTBEAT);
    w.short(0);
    w.long(0);
    w.octet(FRAME_END);
  }

  /** Raw bytes (the protocol header sent back on a version mismatch). */
  raw(bytes: Buffer): void {
    this.w.bytes(bytes);
  }

  /** Everything queued, in wire order; the output is empty afterwards. */
  take(): Buffer[] {
    this.cut();
    const out = this.segments;
    this.segments = [];
    this.queuedBytes = 0;
    return out;
  }

  private cut(): void {
    if (this.w.pending === 0) return;
    const seg = this.w.take();
    this.segments.push(seg);
    this.queuedBytes += seg.length;
  }
}
