// A quorum queue on a single node: a durable classic queue with quorum
// semantics. Redeliveries carry an `x-delivery-count` header, and a message
// returned more than `x-delivery-limit` times (default 20) is dead-lettered
// with reason `delivery_limit` (the limit itself is enforced by ClassicQueue).

import { Message } from '../message';
import { ClassicQueue } from './classic-queue';

export class QuorumQueue extends ClassicQueue {
  protected override messageForDelivery(message: Message, deliveryCount: number): Message {
    if (deliveryCount === 0) return message;
    const properties = message.properties;
    const copy = new Message(
      message.id,
      message.exchange,
      message.routingKey,
      {
        ...properties,
        headers: { ...properties.headers, 'x-delivery-count': deliveryCount },
      },
      message.body,
    );
    copy.traced = message.traced;
    return copy;
  }
}
