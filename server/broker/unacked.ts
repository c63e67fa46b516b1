// One delivery awaiting settlement on a channel, and at the same time the
// Delivery object handed to the transport (one allocation per delivery).
// It remembers where the message came from so a requeue can put it back at
// its original position (seq) with its original expiry.

import type { Consumer } from './consumer';
import type { Message } from './message';
import type { Queue } from './queue/queue';
import type { Delivery } from './types';

export class Unacked implements Delivery {
  messageCount = 0;

  constructor(
    readonly deliveryTag: number,
    readonly queue: Queue,
    readonly message: Message,
    readonly seq: number,
    readonly expiresAt: number,
    /** Earlier deliveries of this message that were returned to the queue. */
    readonly deliveryCount: number,
    /** Null for basic.get. */
    readonly consumer: Consumer | null,
  ) {}

  get consumerTag(): string {
    return this.consumer ? this.consumer.tag : '';
  }

  get redelivered(): boolean {
    return this.deliveryCount > 0;
  }

  get exchange(): string {
    return this.message.exchange;
  }

  get routingKey(): string {
    return this.message.routingKey;
  }
}
