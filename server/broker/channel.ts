// A channel (AMQP session) in the engine: its consumers, its prefetch, and
// its unacknowledged deliveries by delivery tag (tags start at 1 per channel).
// States: open → closed. While open it may be paused by the transport
// (setWritable(false)) when its socket is full: no delivery is made to its
// consumers until setWritable(true), and nothing is lost meanwhile.

import type { Connection } from './connection';
import type {
  CancelFn,
  ConsumeOptions,
  DeliverFn,
  Delivery,
  MessageProperties,
  PublishOptions,
  PublishResult,
} from './types';

export class Channel {
  closed = false;

  constructor(
    readonly connection: Connection,
    readonly number: number,
  ) {}

  /**
   * basic.qos. `global` false: the limit applies to each new consumer of this
   * channel; true: shared by all consumers of the channel (RabbitMQ semantics).
   * 0 means unlimited.
   */
  qos(prefetchCount: number, global: boolean): void {
    void prefetchCount;
    void global;
    throw new Error('not implemented');
  }

  /**
   * basic.consume. Returns the consumer tag (generated `amq.ctag-...` when
   * empty). Deliveries are pushed synchronously through `deliver`; `onCancel`
   * is called when the server cancels (queue deleted).
   * Errors: 404 no queue, 405 exclusive queue of another connection,
   * 403 exclusive consumer conflict, 530 reused consumer tag (connection).
   */
  consume(queue: string, options: ConsumeOptions, deliver: DeliverFn, onCancel?: CancelFn): string {
    void queue;
    void options;
    void deliver;
    void onCancel;
    throw new Error('not implemented');
  }

  /** basic.cancel. Unknown tags are ignored (as RabbitMQ does). */
  cancel(consumerTag: string): void {
    void consumerTag;
    throw new Error('not implemented');
  }

  /** basic.get: one message or null when the queue is empty. */
  get(queue: string, noAck: boolean): Delivery | null {
    void queue;
    void noAck;
    throw new Error('not implemented');
  }

  /**
   * basic.publish from this channel: checks the user-id property against the
   * connection's user (406), then Broker.publish on the connection's vhost.
   */
  publish(
    exchange: string,
    routingKey: string,
    properties: MessageProperties,
    body: Buffer,
    options?: PublishOptions,
  ): PublishResult {
    void exchange;
    void routingKey;
    void properties;
    void body;
    void options;
    throw new Error('not implemented');
  }

  /** basic.ack. `multiple`: every tag up to and including this one (0 = all). Unknown tag: 406. */
  ack(deliveryTag: number, multiple: boolean): void {
    void deliveryTag;
    void multiple;
    throw new Error('not implemented');
  }

  /** basic.nack. requeue: back to the original position, redelivered; else dead-lettered or dropped. */
  nack(deliveryTag: number, multiple: boolean, requeue: boolean): void {
    void deliveryTag;
    void multiple;
    void requeue;
    throw new Error('not implemented');
  }

  /** basic.reject: nack of one tag. */
  reject(deliveryTag: number, requeue: boolean): void {
    this.nack(deliveryTag, false, requeue);
  }

  /** basic.recover: requeue every unacked delivery (RabbitMQ always requeues). */
  recover(requeue: boolean): void {
    void requeue;
    throw new Error('not implemented');
  }

  /**
   * Transport back-pressure: false stops deliveries to this channel's
   * consumers (messages stay ready in their queues); true resumes them.
   * Also used for channel.flow.
   */
  setWritable(writable: boolean): void {
    void writable;
    throw new Error('not implemented');
  }

  /** Number of deliveries awaiting ack on this channel. */
  get unackedCount(): number {
    throw new Error('not implemented');
  }

  /** channel.close or connection loss: cancel consumers, requeue all unacked. */
  close(): void {
    throw new Error('not implemented');
  }
}
