// A queue that another node of the cluster serves, as the engine of this node
// sees it (docs/cluster.md, The forwarding path). It stands in for the local
// copy of the queue (which keeps the definition, bindings and counters) in a
// publish or a consumer: messages routed to it are forwarded to the owner and
// confirmed when the owner confirms; consumers become consumers on the owner,
// whose deliveries this node hands to the client with its own delivery tags.

import type { Channel } from '../channel';
import type { Consumer } from '../consumer';
import { Message } from '../message';
import type { QueueCounts, QueueLink, RemoteDelivery } from '../remote-owners';
import type { Unacked } from '../unacked';
import { ENQUEUED_SYNCING, type EnqueueOutcome, type Queue } from './queue';
import type { QueueConfig } from './queue-arguments';

export class RemoteQueue implements Queue {
  readonly kind = 'queue';
  /** The forward of the last enqueue, until flush() waits for it. */
  private pending: { error?: Error; done: boolean; waiter?: (error?: Error) => void } | null = null;

  constructor(
    private readonly local: Queue,
    private readonly link: QueueLink,
    /** The client's channel that publishes or consumes through this queue. */
    private readonly channel: Channel | undefined,
    private readonly nextMessageId: () => number,
  ) {}

  get vhost() {
    return this.local.vhost;
  }
  get name() {
    return this.local.name;
  }
  get settings() {
    return this.local.settings;
  }
  get config() {
    return this.local.config;
  }
  get owner() {
    return this.local.owner;
  }
  get selfRoute() {
    return this.local.selfRoute;
  }
  get bindings() {
    return this.local.bindings;
  }
  get deleted() {
    return this.local.deleted;
  }
  get messageCount() {
    return this.local.messageCount;
  }
  get readyBytes() {
    return this.local.readyBytes;
  }
  get consumerCount() {
    return this.local.consumerCount;
  }
  get unackedCount() {
    return this.local.unackedCount;
  }
  get counters() {
    return this.local.counters;
  }
  get retry() {
    return this.local.retry;
  }
  get traced() {
    return this.local.traced;
  }
  set traced(traced: boolean) {
    this.local.traced = traced;
  }
  get messages() {
    return this.local.messages;
  }

  reconfigure(config: QueueConfig): void {
    this.local.reconfigure(config);
  }

  enqueue(message: Message): EnqueueOutcome {
    const pending: NonNullable<RemoteQueue['pending']> = { done: false };
    this.pending = pending;
    this.link.forward(this.channel, this.name, message, (error) => {
      pending.done = true;
      pending.error = error;
      pending.waiter?.(error);
    });
    return ENQUEUED_SYNCING;
  }

  /** Calls `done` once the owner confirmed the message of the last enqueue. */
  flush(done: (error?: Error) => void): void {
    const pending = this.pending;
    this.pending = null;
    if (pending === null) done();
    else if (pending.done) done(pending.error);
    else pending.waiter = done;
  }

  restore(message: Message, seq: number, deliveryCount: number, expiresAt: number): void {
    this.local.restore(message, seq, deliveryCount, expiresAt);
  }

  addConsumer(consumer: Consumer): void {
    const channel = consumer.channel;
    const spec = {
      tag: consumer.tag,
      prefetch: consumer.prefetch,
      noAck: consumer.noAck,
      exclusive: consumer.exclusive,
      priority: consumer.priority,
      args: consumer.args,
    };
    this.link.consume(channel, this.name, spec, {
      deliver: (d: RemoteDelivery) => {
        if (channel.closed || channel.consumers.get(consumer.tag) !== consumer) return false;
        const message = new Message(this.nextMessageId(), d.exchange, d.routingKey, d.properties, d.body);
        // The owner's tag is kept as the delivery's seq: the settlement goes back with it.
        channel.deliverTo(consumer, this, message, d.linkTag, 0, d.redelivered ? 1 : 0);
        return true;
      },
      cancelled: () => channel.serverCancel(consumer),
    });
  }

  removeConsumer(consumer: Consumer): void {
    if (consumer.channel.closed) this.link.channelClosed(consumer.channel);
    else this.link.cancel(consumer.channel, consumer.tag);
  }

  /** The owner dispatches. */
  dispatch(): void {}

  ack(delivery: Unacked): void {
    this.settle(delivery, 'ack');
  }

  requeue(delivery: Unacked): void {
    this.settle(delivery, 'requeue');
  }

  reject(delivery: Unacked): void {
    this.settle(delivery, 'reject');
  }

  /** basic.get on the owner; `done` gets the delivery, tracked on the channel with this node's tag, or null when the queue is empty. */
  getFromOwner(channel: Channel, noAck: boolean, done: (delivery: Unacked | null, error?: Error) => void): void {
    this.link.get(channel, this.name, noAck, (got, error) => {
      if (error !== undefined || got === null || channel.closed) return done(null, error);
      const message = new Message(this.nextMessageId(), got.exchange, got.routingKey, got.properties, got.body);
      const delivery = channel.track(this, message, got.linkTag, 0, got.redelivered ? 1 : 0, null, noAck);
      delivery.messageCount = got.messageCount;
      done(delivery);
    });
  }

  /** The owner's message and consumer counts (null when it cannot be reached). */
  countsFromOwner(done: (counts: QueueCounts | null) => void): void {
    this.link.counts(this.name, done);
  }

  private settle(delivery: Unacked, how: 'ack' | 'requeue' | 'reject'): void {
    const channel = delivery.consumer?.channel ?? this.channel;
    // A channel that closed closed its link channel: the owner requeued those already.
    if (channel === undefined || channel.closed) return;
    this.link.settle(channel, delivery.seq, how);
  }

  touch(): void {
    this.local.touch();
  }

  browse(offset: number, limit: number) {
    return this.local.browse(offset, limit);
  }

  consumerList() {
    return this.local.consumerList();
  }

  destroy(): number {
    return this.local.destroy();
  }

  stats() {
    return this.local.stats();
  }
}
