import { randomBytes } from 'node:crypto';
import type { BasicProperties } from './codec/generated/spec';

/**
 * Direct reply-to (RabbitMQ's `amq.rabbitmq.reply-to`): an RPC client
 * consumes from the pseudo-queue with no-ack, publishes its request with
 * reply-to `amq.rabbitmq.reply-to`, and the server rewrites that to an
 * address of the consuming channel. A reply published to the default
 * exchange with that address as routing key goes straight to the consumer,
 * without a queue. Addresses live as long as the consumer.
 */
export const REPLY_TO_QUEUE = 'amq.rabbitmq.reply-to';
export const REPLY_TO_PREFIX = 'amq.rabbitmq.reply-to.';

export type ReplyDeliver = (routingKey: string, properties: BasicProperties, body: Buffer) => void;

export class DirectReplyTo {
  private readonly consumers = new Map<string, ReplyDeliver>();

  /** Registers a consumer and returns its reply address. */
  register(deliver: ReplyDeliver): string {
    const address = REPLY_TO_PREFIX + randomBytes(18).toString('base64url');
    this.consumers.set(address, deliver);
    return address;
  }

  unregister(address: string): void {
    this.consumers.delete(address);
  }

  /** Delivers a reply; false when no consumer has that address (the reply is unroutable). */
  deliver(address: string, properties: BasicProperties, body: Buffer): boolean {
    const deliver = this.consumers.get(address);
    if (!deliver) return false;
    deliver(address, properties, body);
    return true;
  }
}
