// A published message. Immutable once created: fan-out puts the same object
// into every target queue, so neither the body nor the properties are ever
// copied between queues. Dead-lettering makes a new Message (new headers)
// that shares the original body Buffer. The one mutable field, `traced`,
// says whether its journey is recorded (journey/journey-tracing.ts): set when
// it enters a traced queue or vhost, and carried over to the copies the
// engine makes of it (retries, dead letters), so its journey is followed on.

import type { MessageProperties } from './types';

export class Message {
  /** Its journey is recorded (see above); false unless tracing is on where it went. */
  traced = false;

  constructor(
    /** Broker-wide id, increasing; the journal refers to messages by it. */
    readonly id: number,
    readonly exchange: string,
    readonly routingKey: string,
    readonly properties: MessageProperties,
    /** The body, or (SlabMessage) the slab it is part of. */
    protected readonly bytes: Buffer,
  ) {}

  get body(): Buffer {
    return this.bytes;
  }

  /** body.length, without making a view of a slab's body. */
  get bodySize(): number {
    return this.bytes.length;
  }

  /** Delivery mode 2: survives a restart when it sits in a durable queue. */
  get persistent(): boolean {
    return this.properties.deliveryMode === 2;
  }
}

/**
 * A message whose body is bytes [bodyOffset, bodyOffset + bodySize) of a
 * slab shared with other bodies (what journal replay recovers,
 * store/journal/body-slabs.ts). A Buffer view per body would cost 88 bytes
 * per queued message for as long as it waits; this costs two numbers, and
 * `body` makes a short-lived view each time it is read (once per delivery).
 */
export class SlabMessage extends Message {
  constructor(
    id: number,
    exchange: string,
    routingKey: string,
    properties: MessageProperties,
    slab: Buffer,
    readonly bodyOffset: number,
    private readonly size: number,
  ) {
    super(id, exchange, routingKey, properties, slab);
  }

  override get body(): Buffer {
    return this.bytes.subarray(this.bodyOffset, this.bodyOffset + this.size);
  }

  override get bodySize(): number {
    return this.size;
  }

  /** The shared buffer the body is part of. */
  get slab(): Buffer {
    return this.bytes;
  }
}
