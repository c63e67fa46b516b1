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
    readonly body: Buffer,
  ) {}

  /** Delivery mode 2: survives a restart when it sits in a durable queue. */
  get persistent(): boolean {
    return this.properties.deliveryMode === 2;
  }
}
