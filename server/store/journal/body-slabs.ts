// Where replay puts the bodies it decodes: copied out of the segment's bytes
// into shared slabs, packed end to end, each message holding its slab, offset
// and length (SlabMessage) rather than a Buffer view of its own. A view into
// the segment would keep the whole segment buffer alive, and with it each
// body's record framing and envelope and every ENQUEUE, REMOVE and DELIVERED
// record around it (66 bytes beside a 256-byte body, a quarter more memory
// per queued message). A segment is then dropped as soon as it is scanned.
// Bodies too large to share a slab get a buffer of their own.

import { Message, SlabMessage } from '../../broker/message';
import type { MessageProperties } from '../../broker/types';

const SLAB_BYTES = 1 << 20;
const OWN_BUFFER_ABOVE = SLAB_BYTES / 8;

export class BodySlabs {
  private slab = Buffer.allocUnsafeSlow(0);
  private used = 0;

  /** A message whose body is a copy of source[start, end), in a slab shared with other bodies. */
  message(id: number, exchange: string, routingKey: string, properties: MessageProperties, source: Buffer, start: number, end: number): Message {
    const length = end - start;
    if (length > OWN_BUFFER_ABOVE) {
      const own = Buffer.allocUnsafeSlow(length);
      source.copy(own, 0, start, end);
      return new Message(id, exchange, routingKey, properties, own);
    }
    if (this.used + length > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    const at = this.used;
    this.used += source.copy(this.slab, at, start, end);
    return new SlabMessage(id, exchange, routingKey, properties, this.slab, at, length);
  }
}
