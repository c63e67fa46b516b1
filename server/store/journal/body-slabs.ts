// Where replay puts the bodies it decodes: copied out of the segment's bytes
// into shared slabs, packed end to end, each message holding its slab, offset
// and length (SlabMessage) rather than a Buffer view of its own. A view into
// the segment would keep the whole segment buffer alive, and with it each
// body's record framing and envelope and every ENQUEUE, REMOVE and DELIVERED
// record around it (66 bytes beside a 256-byte body, a quarter more memory
// per queued message). A segment is then dropped as soon as it is scanned.
// Bodies too large to share a slab get a buffer of their own.
//
// Slab sizes: each new slab is as large as all the slabs before it together,
// from 1 MiB up to 256 MiB. V8 starts a full collection of the heap every
// 64 MB or so of array-buffer memory allocated, whatever the size of each
// buffer: 1 MiB slabs for the 2.5 GB of bodies of 10M messages made about 40
// of them, each marking every message object recovered so far, a quarter of
// the recovery's time. Growing slabs make about a dozen. The untouched end of
// the last slab costs no resident memory (the allocator maps large buffers
// lazily) and replay copies the bodies of a slab less than half full into a
// buffer of their size (replay.ts). A slab's memory goes back once every
// body in it has left its queues: a FIFO backlog drains slab after slab.

import { Message, SlabMessage } from '../../broker/message';
import type { MessageProperties } from '../../broker/types';

const FIRST_SLAB_BYTES = 1 << 20;
const LARGEST_SLAB_BYTES = 256 << 20;
const OWN_BUFFER_ABOVE = FIRST_SLAB_BYTES / 8;

export class BodySlabs {
  private slab = Buffer.allocUnsafeSlow(0);
  private used = 0;
  /** Bytes of every slab made so far. */
  private allocated = 0;

  /** A message whose body is a copy of source[start, end), in a slab shared with other bodies. */
  message(id: number, exchange: string, routingKey: string, properties: MessageProperties, source: Buffer, start: number, end: number): Message {
    const length = end - start;
    if (length > OWN_BUFFER_ABOVE) {
      const own = Buffer.allocUnsafeSlow(length);
      source.copy(own, 0, start, end);
      return new Message(id, exchange, routingKey, properties, own);
    }
    if (this.used + length > this.slab.length) {
      const size = Math.min(LARGEST_SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, this.allocated));
      this.slab = Buffer.allocUnsafeSlow(size);
      this.allocated += size;
      this.used = 0;
    }
    const at = this.used;
    this.used += source.copy(this.slab, at, start, end);
    return new SlabMessage(id, exchange, routingKey, properties, this.slab, at, length);
  }
}
