// A channel (AMQP session) in the engine: its consumers, its prefetch, and
// its unacknowledged deliveries by delivery tag (tags start at 1 per channel
// and only grow, so the Map's insertion order is tag order).
// States: open → closed. While open it may be paused by the transport
// (setWritable(false)) when its socket is full: no delivery is made to its
// consumers until setWritable(true), and nothing is lost meanwhile.

import { randomBytes } from 'node:crypto';
import type { Connection } from './connection';
import { Consumer } from './consumer';
import { BrokerError, resourceName, unknownDeliveryTag } from './errors';
import { integerOf } from './field-values';
import type { GlobalCounters } from './global-counters';
import type { Message } from './message';
import type { Queue } from './queue/queue';
import { checkConsumeArguments } from './queue/queue-arguments';
import { RemoteQueue } from './queue/remote-queue';
import type { QueueCounts } from './remote-owners';
import type { CancelFn, ConsumeOptions, DeliverFn, Delivery, MessageProperties, PublishOptions, PublishResult } from './types';
import { Unacked } from './unacked';

const NO_OPTIONS: PublishOptions = {};
/** Settlements after which the unacked Map is replaced (at least; see renewUnacked). */
const RENEW_UNACKED_AFTER = 1000;

export class Channel {
  closed = false;
  /** False while the transport's socket is full (or after channel.flow false). */
  writable = true;
  readonly consumers = new Map<string, Consumer>();
  unacked = new Map<number, Unacked>();
  private nextTag = 1;
  /** Deliveries settled since `unacked` was last replaced. */
  private settledSinceRenewal = 0;
  /** basic.qos global=false: prefetch given to consumers created afterwards. */
  private consumerPrefetch = 0;
  /** basic.qos global=true: limit shared by all consumers of the channel. */
  private sharedPrefetch = 0;
  /** Consumer deliveries awaiting settlement (basic.get ones are not counted). */
  private sharedUnacked = 0;
  /** Messages published on this channel (rabbitmq_channel_messages_published_total); the first makes it a publisher until it closes. */
  published = 0;
  /** Messages delivered on this channel, to its consumers and by basic.get. */
  delivered = 0;
  /** Publisher modes, set by the transport on confirm.select and tx.select; the console shows them. */
  confirm = false;
  transactional = false;
  private readonly counters: GlobalCounters;

  constructor(
    readonly connection: Connection,
    readonly number: number,
  ) {
    this.counters = connection.counters;
  }

  /**
   * basic.qos. `global` false: the limit applies to each new consumer of this
   * channel; true: shared by all consumers of the channel (RabbitMQ semantics).
   * 0 means unlimited.
   */
  qos(prefetchCount: number, global: boolean): void {
    if (global) this.sharedPrefetch = prefetchCount;
    else this.consumerPrefetch = prefetchCount;
    this.dispatchAll();
  }

  /** Prefetch that new consumers get (basic.qos global=false). */
  get prefetchCount(): number {
    return this.consumerPrefetch;
  }

  /** Limit shared by all consumers of the channel (basic.qos global=true; 0 = none). */
  get globalPrefetchCount(): number {
    return this.sharedPrefetch;
  }

  /**
   * basic.consume. Returns the consumer tag (generated `amq.ctag-...` when
   * empty). Deliveries are pushed synchronously through `deliver`, starting on
   * a microtask after this returns so the transport can send consume-ok
   * first. `onCancel` is called when the server cancels (queue deleted).
   * Errors: 404 no queue, 405 exclusive queue of another connection,
   * 403 exclusive consumer conflict, 530 reused consumer tag (connection).
   */
  consume(queue: string, options: ConsumeOptions, deliver: DeliverFn, onCancel?: CancelFn): string {
    this.assertOpen();
    const tag = options.consumerTag || `amq.ctag-${randomBytes(16).toString('base64url')}`;
    if (this.consumers.has(tag)) {
      throw new BrokerError('NOT_ALLOWED', `attempt to reuse consumer tag '${tag}'`, 'connection');
    }
    const broker = this.connection.broker;
    const target = broker.servedQueue(this.connection.vhostOrDie().queue(queue, this.connection), this);
    const args = options.arguments ?? {};
    checkConsumeArguments(queue, this.connection.vhost, args);
    const priority = options.priority ?? integerOf(args['x-priority']) ?? 0;
    const consumer = new Consumer(
      tag,
      this,
      target,
      options.noAck ?? false,
      options.exclusive ?? false,
      priority,
      this.consumerPrefetch,
      args,
      deliver,
      onCancel,
    );
    target.addConsumer(consumer);
    this.consumers.set(tag, consumer);
    queueMicrotask(() => target.dispatch());
    return tag;
  }

  /**
   * Cluster mode: another node (or this one) serves the consumer's queue now;
   * the consumer follows with its tag and settings. Deliveries it had unacked
   * stay on the channel and are settled where they came from (a broken link
   * drops them: their owner requeues them). A queue gone meanwhile, or a
   * refused consumer, cancels it (basic.cancel).
   */
  reattach(consumer: Consumer): void {
    if (this.closed || this.consumers.get(consumer.tag) !== consumer) return;
    consumer.queue.removeConsumer(consumer);
    try {
      const local = this.connection.vhostOrDie().queue(consumer.queue.name, this.connection);
      const target = this.connection.broker.servedQueue(local, this);
      const moved = new Consumer(
        consumer.tag,
        this,
        target,
        consumer.noAck,
        consumer.exclusive,
        consumer.priority,
        consumer.prefetch,
        consumer.args,
        consumer.deliver,
        consumer.onCancel,
      );
      this.consumers.set(consumer.tag, moved);
      target.addConsumer(moved);
      queueMicrotask(() => target.dispatch());
    } catch {
      this.consumers.delete(consumer.tag);
      consumer.onCancel?.(consumer.tag);
    }
  }

  /** basic.cancel. Unknown tags are ignored (as RabbitMQ does). Its unacked deliveries stay unacked. */
  cancel(consumerTag: string): void {
    const consumer = this.consumers.get(consumerTag);
    if (!consumer) return;
    this.consumers.delete(consumerTag);
    consumer.queue.removeConsumer(consumer);
  }

  /** basic.get: one message or null when the queue is empty. */
  get(queue: string, noAck: boolean): Delivery | null {
    this.assertOpen();
    const q = this.connection.vhostOrDie().queue(queue, this.connection);
    if (q.messages === null) {
      // RabbitMQ's own answer for streams: a connection error, not a 406.
      throw new BrokerError('NOT_IMPLEMENTED', `basic.get not supported by stream queues ${resourceName('queue', q.name, q.vhost)}`, 'connection');
    }
    const delivery = q.messages.get(this, noAck);
    if (delivery === null) this.counters.getEmpty++;
    return delivery;
  }

  /**
   * Cluster mode: basic.get of a queue another node serves, as a function that
   * asks the owner and calls back with the delivery (null: empty; an error when
   * the owner cannot be reached). Null when this node serves the queue (get()).
   */
  getRemote(queue: string, noAck: boolean): ((done: (delivery: Delivery | null, error?: Error) => void) => void) | null {
    this.assertOpen();
    const q = this.connection.vhostOrDie().queue(queue, this.connection);
    const served = this.connection.broker.servedQueue(q, this);
    if (!(served instanceof RemoteQueue)) return null;
    return (done) =>
      served.getFromOwner(this, noAck, (delivery, error) => {
        if (delivery === null && error === undefined) this.counters.getEmpty++;
        done(delivery, error);
      });
  }

  /**
   * Cluster mode: queue.declare-ok's counts of a queue another node serves,
   * as a function that asks the owner (null counts: it could not be reached).
   * Null when this node serves the queue.
   */
  remoteCounts(queue: string): ((done: (counts: QueueCounts | null) => void) => void) | null {
    const q = this.connection.vhostOrDie().queue(queue, this.connection);
    const link = this.connection.broker.servedQueue(q, this);
    return link instanceof RemoteQueue ? (done) => link.countsFromOwner(done) : null;
  }

  /**
   * basic.publish from this channel: checks the user-id property against the
   * connection's user and the expiration property (406), then Broker.publish
   * on the connection's vhost.
   */
  publish(exchange: string, routingKey: string, properties: MessageProperties, body: Buffer, options: PublishOptions = NO_OPTIONS): PublishResult {
    this.assertOpen();
    const broker = this.connection.broker;
    if (exchange === '' && broker.isLinkUser(this.connection.info.user)) {
      // Another node's link: the message was checked and routed there; the routing key names its queue here.
      return broker.publishForwarded(this.connection.vhost, routingKey, properties, body, options, this);
    }
    const userId = properties.userId;
    if (userId !== undefined && userId !== this.connection.info.user) {
      throw new BrokerError('PRECONDITION_FAILED', `user_id property set to '${userId}' but authenticated user was '${this.connection.info.user}'`);
    }
    const expiration = properties.expiration;
    if (expiration !== undefined && !/^\d+$/.test(expiration)) {
      throw new BrokerError('PRECONDITION_FAILED', `invalid expiration '${expiration}': no_integer`);
    }
    if (this.published++ === 0) this.counters.publishers++;
    return broker.publish(this.connection.vhost, exchange, routingKey, properties, body, options, this);
  }

  /** basic.ack. `multiple`: every tag up to and including this one (0 = all). Unknown tag: 406. */
  ack(deliveryTag: number, multiple: boolean): void {
    if (!multiple) {
      const delivery = this.unacked.get(deliveryTag);
      if (!delivery) throw unknownDeliveryTag(deliveryTag);
      this.unacked.delete(deliveryTag);
      this.release(delivery);
      if (delivery.message.traced) this.noteSettled('acked', delivery, false);
      delivery.queue.ack(delivery);
      this.counters.acknowledged++;
      this.renewUnacked(1);
    } else {
      const deliveries = this.takeUpTo(deliveryTag);
      for (const delivery of deliveries) {
        this.release(delivery);
        if (delivery.message.traced) this.noteSettled('acked', delivery, false);
        delivery.queue.ack(delivery);
      }
      this.counters.acknowledged += deliveries.length;
      this.renewUnacked(deliveries.length);
    }
    if (this.sharedPrefetch > 0) this.dispatchAll();
  }

  /** basic.nack. requeue: back to the original position, redelivered; else dead-lettered or dropped. */
  nack(deliveryTag: number, multiple: boolean, requeue: boolean, how: 'nacked' | 'rejected' = 'nacked'): void {
    let deliveries: Unacked[];
    if (multiple) {
      deliveries = this.takeUpTo(deliveryTag);
    } else {
      const delivery = this.unacked.get(deliveryTag);
      if (!delivery) throw unknownDeliveryTag(deliveryTag);
      this.unacked.delete(deliveryTag);
      deliveries = [delivery];
    }
    for (const delivery of deliveries) {
      this.release(delivery);
      if (delivery.message.traced) this.noteSettled(how, delivery, requeue);
      if (requeue) delivery.queue.requeue(delivery);
      else delivery.queue.reject(delivery);
    }
    this.renewUnacked(deliveries.length);
    if (this.sharedPrefetch > 0) this.dispatchAll();
  }

  /** basic.reject: nack of one tag. */
  reject(deliveryTag: number, requeue: boolean): void {
    this.nack(deliveryTag, false, requeue, 'rejected');
  }

  /** basic.recover: requeue every unacked delivery. requeue=false is 540 as in RabbitMQ. */
  recover(requeue: boolean): void {
    if (!requeue) throw new BrokerError('NOT_IMPLEMENTED', 'requeue=false', 'connection');
    this.requeueAll();
  }

  /**
   * Transport back-pressure: false stops deliveries to this channel's
   * consumers (messages stay ready in their queues); true resumes them.
   * Also used for channel.flow.
   */
  setWritable(writable: boolean): void {
    this.writable = writable;
    if (writable) this.dispatchAll();
  }

  /** Number of deliveries awaiting ack on this channel. */
  get unackedCount(): number {
    return this.unacked.size;
  }

  /** channel.close or connection loss: cancel consumers, then requeue all unacked. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    for (const consumer of consumers) consumer.queue.removeConsumer(consumer);
    this.requeueAll();
    this.connection.channels.delete(this.number);
    this.counters.channelsClosed++;
    if (this.published > 0) this.counters.publishers--;
  }

  // ---- called by queues ---------------------------------------------------------

  /** Whether the shared (global) prefetch leaves room for one more delivery. */
  hasSharedCredit(): boolean {
    return this.sharedPrefetch === 0 || this.sharedUnacked < this.sharedPrefetch;
  }

  /** A queue delivers to one of this channel's consumers. */
  deliverTo(consumer: Consumer, queue: Queue, message: Message, seq: number, expiresAt: number, deliveryCount: number): void {
    const delivery = new Unacked(this.nextTag++, queue, message, seq, expiresAt, deliveryCount, consumer);
    const counters = this.counters;
    this.delivered++;
    if (!consumer.noAck) {
      this.unacked.set(delivery.deliveryTag, delivery);
      consumer.unacked++;
      this.sharedUnacked++;
      counters.deliveredConsumeManualAck++;
    } else {
      counters.deliveredConsumeAutoAck++;
    }
    if (deliveryCount > 0) counters.redelivered++;
    consumer.deliver(delivery);
  }

  /** A delivery tag for a delivery made outside the engine (a direct reply-to reply), in the channel's one sequence. */
  takeDeliveryTag(): number {
    return this.nextTag++;
  }

  /** Records a basic.get delivery (tracked unless no-ack). */
  track(queue: Queue, message: Message, seq: number, expiresAt: number, deliveryCount: number, consumer: null, noAck: boolean): Unacked {
    const delivery = new Unacked(this.nextTag++, queue, message, seq, expiresAt, deliveryCount, consumer);
    this.delivered++;
    if (!noAck) this.unacked.set(delivery.deliveryTag, delivery);
    if (noAck) this.counters.deliveredGetAutoAck++;
    else this.counters.deliveredGetManualAck++;
    if (deliveryCount > 0) this.counters.redelivered++;
    return delivery;
  }

  /** The queue was deleted under a consumer: forget it and tell the client (basic.cancel). */
  serverCancel(consumer: Consumer): void {
    if (this.consumers.get(consumer.tag) !== consumer) return;
    this.consumers.delete(consumer.tag);
    consumer.onCancel?.(consumer.tag);
  }

  // ---- internals -------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new BrokerError('CHANNEL_ERROR', `channel ${this.number} is closed`, 'connection');
  }

  /** Removes and returns deliveries with tag <= deliveryTag (0 = all); 406 when none. */
  private takeUpTo(deliveryTag: number): Unacked[] {
    const taken: Unacked[] = [];
    for (const [tag, delivery] of this.unacked) {
      if (deliveryTag !== 0 && tag > deliveryTag) break;
      taken.push(delivery);
      this.unacked.delete(tag);
    }
    if (taken.length === 0 && deliveryTag !== 0) throw unknownDeliveryTag(deliveryTag);
    return taken;
  }

  /**
   * Replaces the unacked Map now and then, for the garbage collector: once a
   * Map's table has reached V8's old space, its rehashed tables are made
   * there too, and each discarded table keeps the deliveries it held
   * reachable until the next full GC. On a busy channel every delivery
   * (message, headers, body) then survived the scavenges and was promoted:
   * measured, half the young generation survived instead of 1%. A new Map
   * starts young. Copying costs O(unacked), hence at most once per that many
   * settlements.
   */
  private renewUnacked(settled: number): void {
    this.settledSinceRenewal += settled;
    if (this.settledSinceRenewal < Math.max(RENEW_UNACKED_AFTER, this.unacked.size)) return;
    this.settledSinceRenewal = 0;
    this.unacked = new Map(this.unacked);
  }

  /** Gives the consumer and channel credit back. */
  private release(delivery: Unacked): void {
    const consumer = delivery.consumer;
    if (consumer !== null) {
      consumer.unacked--;
      this.sharedUnacked--;
    }
  }

  private requeueAll(): void {
    const deliveries = [...this.unacked.values()];
    this.unacked.clear();
    for (const delivery of deliveries) {
      this.release(delivery);
      if (delivery.message.traced) {
        const reason = this.closed ? 'its channel closed before it was acknowledged' : 'basic.recover';
        this.connection.broker.journeys.step('requeued', delivery.queue, delivery.message, { reason, connection: this.connection.id, channel: this.number });
      }
      delivery.queue.requeue(delivery);
    }
  }

  /** An ack, nack or reject of a traced message, for its journey. */
  private noteSettled(how: 'acked' | 'nacked' | 'rejected', delivery: Unacked, requeue: boolean): void {
    const details = { consumerTag: delivery.consumerTag || null, connection: this.connection.id, channel: this.number, deliveryTag: delivery.deliveryTag };
    this.connection.broker.journeys.step(how, delivery.queue, delivery.message, how === 'acked' ? details : { ...details, requeue });
  }

  private dispatchAll(): void {
    for (const consumer of this.consumers.values()) consumer.queue.dispatch();
  }
}
