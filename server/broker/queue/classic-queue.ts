// The classic in-memory queue. Ready messages live in a ReadyList ordered by
// seq (an increasing per-queue number given at enqueue); delivered messages
// live in their channel's unacked map and come back at their original seq on
// requeue. Expiry only ever looks at the head (as RabbitMQ does), woken by the
// engine's one scheduler. States: live → deleted (destroy(); later calls are
// no-ops so late acks from channels stay harmless).
//
// Ordering contract: dispatch() never re-enters itself. A deliver callback
// may ack, publish or consume synchronously; the outer loop picks the new
// state up because every iteration re-reads the head and the consumers.

import type { Binding } from '../binding';
import type { Channel } from '../channel';
import type { Connection } from '../connection';
import type { Consumer } from '../consumer';
import type { Message } from '../message';
import { retiered, RetryTiers, sameTiers } from '../retry/retry-tiers';
import type { WakeUp } from '../scheduler';
import type { BrowsedMessage, QueueCounters, QueueStats } from '../types';
import type { Unacked } from '../unacked';
import {
  ENQUEUED,
  ENQUEUED_STORED,
  newQueueCounters,
  REFUSED,
  type DeadLettered,
  type DeathReason,
  type EnqueueOutcome,
  type MessageOperations,
  type Queue,
  type QueueHost,
  type QueueSettings,
} from './queue';
import type { QueueConfig } from './queue-arguments';
import { ConsumerList } from './consumer-list';
import { createReadyList, type ReadyList } from './ready-list';

/** Dead-lettered copies sent to other nodes' queues, confirmed later. */
type Forwarded = Exclude<DeadLettered, boolean>;

/** How long expiry waits after dead-lettering an expired message failed, before it tries again. */
const EXPIRY_RETRY_MS = 5_000;

export class ClassicQueue implements Queue, MessageOperations {
  readonly messages: MessageOperations = this;
  readonly kind = 'queue' as const;
  readonly selfRoute: readonly Queue[] = [this];
  readonly bindings = new Set<Binding>();
  readonly counters: QueueCounters = newQueueCounters();
  deleted = false;
  /** Delivery paused from the console: consumers stay, nothing is delivered (basic.get answers empty). */
  paused = false;
  traced = false;
  unackedCount = 0;
  retry: RetryTiers | null;
  config: QueueConfig;

  protected readonly ready: ReadyList;
  private readonly consumers: ConsumerList;
  private nextSeq = 1;
  private dispatching = false;
  /** Whether persistent messages go to the store (durable queue and a persisting store). */
  private readonly persists: boolean;
  private hasLimits: boolean;
  private expiryWake: WakeUp | null = null;
  /** After a failed dead-lettering of the expired head: no expiry before this time (epoch ms). */
  private expiryHeldUntil = 0;
  private idleWake: WakeUp | null = null;
  private lastUsedAt: number;
  /** Consumer utilisation: when the current saturation began (null: not saturated), and the total of the ended ones. */
  private saturatedSince: number | null = null;
  private saturatedMs = 0;

  constructor(
    protected readonly host: QueueHost,
    readonly vhost: string,
    readonly name: string,
    readonly settings: QueueSettings,
    config: QueueConfig,
    readonly owner: Connection | null,
  ) {
    this.config = config;
    this.ready = createReadyList(config.maxPriority);
    this.consumers = new ConsumerList(config.singleActiveConsumer);
    this.persists = settings.durable && host.store.persistsMessages;
    this.hasLimits = config.maxLength !== null || config.maxLengthBytes !== null;
    this.lastUsedAt = host.now();
    this.retry = config.retryTiers === null ? null : new RetryTiers(host, this, config.retryTiers);
    this.scheduleIdleCheck();
  }

  reconfigure(config: QueueConfig): void {
    if (this.deleted) return;
    const before = this.config;
    this.config = config;
    this.hasLimits = config.maxLength !== null || config.maxLengthBytes !== null;
    if (!sameTiers(before.retryTiers, config.retryTiers)) this.retry = retiered(this.host, this, this.retry, config.retryTiers);
    if (before.expires !== config.expires) {
      if (this.idleWake) this.idleWake.cancelled = true;
      this.idleWake = null;
      this.scheduleIdleCheck();
    }
    if (this.hasLimits) this.dropHeadsOverLimit();
  }

  get messageCount(): number {
    return this.ready.length;
  }

  get readyBytes(): number {
    return this.ready.bytes;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  enqueue(message: Message): EnqueueOutcome {
    if (this.deleted) return REFUSED;
    this.counters.published++;
    const config = this.config;
    if (this.hasLimits && config.overflow !== 'drop-head' && this.wouldOverflow(message.bodySize)) {
      if (this.traced || message.traced) this.host.journeys.enqueued(this, message, `maxlen: the queue is full (x-overflow ${config.overflow})`);
      if (config.overflow === 'reject-publish-dlx') this.discard(message, 'maxlen');
      else this.counters.dropped++;
      return REFUSED;
    }
    if (this.traced || message.traced) this.host.journeys.enqueued(this, message, null);
    const expiresAt = config.messageTtl !== null || message.properties.expiration !== undefined ? this.expiryOf(message) : 0;
    const seq = this.nextSeq++;
    const stored = this.persists && message.persistent;
    if (stored) this.host.store.messageEnqueued(this.vhost, this.name, seq, message, expiresAt);

    if (this.ready.length === 0 && !this.dispatching && !this.paused && this.consumers.length > 0 && this.mayDeliver()) {
      const consumer = this.consumers.pick();
      if (consumer) {
        // Straight to the consumer; flagged as dispatching so a publish from
        // its callback queues up behind instead of recursing.
        this.dispatching = true;
        try {
          this.deliverTo(consumer, message, seq, expiresAt, 0);
        } finally {
          this.dispatching = false;
        }
        if (this.ready.length > 0) this.dispatch();
        return stored ? ENQUEUED_STORED : ENQUEUED;
      }
    }
    this.ready.pushBack(message, seq, expiresAt, 0);
    if (this.hasLimits) this.dropHeadsOverLimit();
    if (this.consumers.length > 0) this.dispatch();
    if (expiresAt !== 0) {
      this.expireHead();
      this.scheduleExpiry();
    }
    return stored ? ENQUEUED_STORED : ENQUEUED;
  }

  restore(message: Message, seq: number, deliveryCount: number, expiresAt: number): void {
    if (this.deleted) return;
    // No stored deadline (a journal written before deadlines were, or a TTL
    // that applies since the message was stored): its TTL counts from now.
    const hasTtl = this.config.messageTtl !== null || message.properties.expiration !== undefined;
    const deadline = expiresAt === 0 && hasTtl ? this.expiryOf(message) : expiresAt;
    if (this.traced) message.traced = true;
    this.ready.insertSorted(message, seq, deadline, deliveryCount);
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    if (deadline !== 0) this.scheduleExpiry();
  }

  restoreNextSeq(next: number): void {
    if (next > this.nextSeq) this.nextSeq = next;
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.add(consumer, this.name, this.vhost);
    this.touch();
  }

  removeConsumer(consumer: Consumer): void {
    if (!this.consumers.remove(consumer)) return;
    this.touch();
    if (this.settings.autoDelete && this.consumers.length === 0) {
      this.host.expire(this);
      return;
    }
    this.dispatch();
  }

  dispatch(): void {
    if (this.dispatching || this.deleted || this.paused || !this.mayDeliver()) return;
    const ready = this.ready;
    if (ready.length === 0) return this.noteSaturation();
    this.dispatching = true;
    try {
      while (ready.length > 0 && !this.deleted) {
        const expiresAt = ready.expiresAt(0);
        if (expiresAt !== 0 && expiresAt <= this.host.now()) {
          this.expireOne();
          continue;
        }
        const consumer = this.consumers.pick();
        if (!consumer) break;
        const message = ready.messageAt(0);
        const seq = ready.seqAt(0);
        const deliveryCount = ready.deliveryCountAt(0);
        ready.shift();
        this.deliverTo(consumer, message, seq, expiresAt, deliveryCount);
      }
    } finally {
      this.dispatching = false;
    }
    this.noteSaturation();
  }

  /**
   * After a dispatch, ready messages left with consumers present mean no
   * consumer could take one. Only a change of that state reads the clock, so
   * the message path pays nothing while it holds.
   */
  private noteSaturation(): void {
    const saturated = this.ready.length > 0 && this.consumers.length > 0;
    if (saturated === (this.saturatedSince !== null)) return;
    const now = this.host.now();
    if (this.saturatedSince === null) this.saturatedSince = now;
    else {
      this.saturatedMs += now - this.saturatedSince;
      this.saturatedSince = null;
    }
  }

  get(channel: Channel, noAck: boolean): Unacked | null {
    if (this.deleted || this.paused || !this.mayDeliver()) return null;
    this.touch();
    this.expireHead();
    const ready = this.ready;
    if (ready.length === 0) return null;
    const message = ready.messageAt(0);
    const seq = ready.seqAt(0);
    const expiresAt = ready.expiresAt(0);
    const deliveryCount = ready.deliveryCountAt(0);
    ready.shift();
    this.countDelivery(deliveryCount);
    if (message.traced) this.host.journeys.delivered(this, message, channel.connection.id, channel.number, null, deliveryCount);
    if (noAck) this.forget(message, seq);
    else this.trackUnacked(message, seq);
    const delivery = channel.track(this, this.messageForDelivery(message, deliveryCount), seq, expiresAt, deliveryCount, null, noAck);
    delivery.messageCount = ready.length;
    return delivery;
  }

  ack(delivery: Unacked): void {
    if (this.deleted) return;
    this.unackedCount--;
    this.counters.acked++;
    this.forget(delivery.message, delivery.seq);
    if (this.ready.length > 0) this.dispatch();
  }

  requeue(delivery: Unacked): void {
    if (this.deleted) return;
    this.unackedCount--;
    const deliveryCount = delivery.deliveryCount + 1;
    const limit = this.config.deliveryLimit;
    if (limit !== null && deliveryCount > limit) {
      this.forgetAfter(this.discard(delivery.message, 'delivery_limit'), delivery.message, delivery.seq);
    } else {
      this.ready.insertSorted(delivery.message, delivery.seq, delivery.expiresAt, deliveryCount);
      if (delivery.expiresAt !== 0) this.scheduleExpiry();
    }
    this.dispatch();
  }

  reject(delivery: Unacked): void {
    if (this.deleted) return;
    this.unackedCount--;
    this.counters.rejected++;
    // Its next place (retry tier, dead-letter queue) first: a crash between the two store records duplicates, never loses.
    this.forgetAfter(this.discard(delivery.message, 'rejected'), delivery.message, delivery.seq);
    if (this.ready.length > 0) this.dispatch();
  }

  /** Whether the store lets this node deliver from the queue (cluster mode: it holds the queue's lease). */
  private mayDeliver(): boolean {
    return !this.settings.durable || this.host.store.mayDeliver?.(this.vhost, this.name) !== false;
  }

  touch(): void {
    this.lastUsedAt = this.host.now();
  }

  setPaused(paused: boolean): void {
    if (this.deleted || this.paused === paused) return;
    this.paused = paused;
    if (this.settings.durable) this.host.store.queuePaused?.(this.vhost, this.name, paused);
    if (!paused) this.dispatch();
  }

  purge(): number {
    const count = this.ready.length;
    this.ready.clear((message, seq) => this.forget(message, seq));
    return count;
  }

  browse(offset: number, limit: number): BrowsedMessage[] {
    const ready = this.ready;
    const out: BrowsedMessage[] = [];
    for (let i = Math.max(0, offset); i < ready.length && out.length < limit; i++) {
      const message = ready.messageAt(i);
      const deliveryCount = ready.deliveryCountAt(i);
      const expiresAt = ready.expiresAt(i);
      out.push({
        position: i,
        seq: ready.seqAt(i),
        brokerId: message.id,
        redelivered: deliveryCount > 0,
        deliveryCount,
        exchange: message.exchange,
        routingKey: message.routingKey,
        properties: message.properties,
        body: message.body,
        expiresAt: expiresAt === 0 ? null : expiresAt,
      });
    }
    return out;
  }

  head(): Message | undefined {
    return this.ready.length > 0 ? this.ready.messageAt(0) : undefined;
  }

  take(count: number): Message[] {
    const ready = this.ready;
    const taken: Message[] = [];
    while (ready.length > 0 && taken.length < count) {
      const message = ready.messageAt(0);
      this.forget(message, ready.seqAt(0));
      ready.shift();
      taken.push(message);
    }
    return taken;
  }

  extract(pick: (message: Message, seq: number) => boolean, max: number, place: (message: Message) => boolean): number {
    if (this.deleted || max <= 0) return 0;
    const taken: { message: Message; seq: number; expiresAt: number; deliveryCount: number }[] = [];
    this.ready.removeWhere(
      (message, seq) => taken.length < max && pick(message, seq),
      (message, seq, expiresAt, deliveryCount) => taken.push({ message, seq, expiresAt, deliveryCount }),
    );
    let placed = 0;
    for (const { message, seq, expiresAt, deliveryCount } of taken) {
      if (place(message)) {
        this.forget(message, seq);
        placed++;
      } else {
        this.ready.insertSorted(message, seq, expiresAt, deliveryCount);
        if (expiresAt !== 0) this.scheduleExpiry();
      }
    }
    return placed;
  }

  destroy(): number {
    if (this.deleted) return 0;
    this.deleted = true;
    this.retry?.destroy();
    if (this.expiryWake) this.expiryWake.cancelled = true;
    if (this.idleWake) this.idleWake.cancelled = true;
    const count = this.ready.length;
    this.ready.clear();
    for (const consumer of this.consumers.clear()) consumer.channel.serverCancel(consumer);
    return count;
  }

  stats(): QueueStats {
    return {
      vhost: this.vhost,
      name: this.name,
      type: this.config.type,
      durable: this.settings.durable,
      exclusive: this.settings.exclusive,
      autoDelete: this.settings.autoDelete,
      arguments: this.settings.arguments,
      policy: this.config.policy,
      effectiveArguments: this.config.arguments,
      ownerConnectionId: this.owner ? this.owner.id : null,
      ready: this.ready.length,
      unacked: this.unackedCount,
      readyBytes: this.readyBytes,
      consumers: this.consumers.length,
      activeConsumerTag: this.consumers.active?.tag ?? null,
      counters: { ...this.counters },
      consumersSaturatedMs: this.saturatedMs + (this.saturatedSince === null ? 0 : this.host.now() - this.saturatedSince),
      headSeq: this.ready.length > 0 ? this.ready.seqAt(0) : null,
      paused: this.paused,
      nextSeq: this.nextSeq,
    };
  }

  consumerList(): { consumer: Consumer; active: boolean }[] {
    return this.consumers.entries();
  }

  /** The message as the consumer sees it; quorum queues add x-delivery-count. */
  protected messageForDelivery(message: Message, _deliveryCount: number): Message {
    return message;
  }

  private deliverTo(consumer: Consumer, message: Message, seq: number, expiresAt: number, deliveryCount: number): void {
    this.countDelivery(deliveryCount);
    if (message.traced) {
      const channel = consumer.channel;
      this.host.journeys.delivered(this, message, channel.connection.id, channel.number, consumer.tag, deliveryCount);
    }
    if (consumer.noAck) this.forget(message, seq);
    else this.trackUnacked(message, seq);
    consumer.channel.deliverTo(consumer, this, this.messageForDelivery(message, deliveryCount), seq, expiresAt, deliveryCount);
  }

  private countDelivery(deliveryCount: number): void {
    this.counters.delivered++;
    if (deliveryCount > 0) this.counters.redelivered++;
  }

  /** The message went out and awaits its ack: the store marks it for redelivery after a restart. */
  private trackUnacked(message: Message, seq: number): void {
    this.unackedCount++;
    if (this.persists && message.persistent) this.host.store.messageDelivered?.(this.vhost, this.name, seq);
  }

  /** The message leaves the queue for good: tell the store. */
  private forget(message: Message, seq: number): void {
    if (this.persists && message.persistent) this.host.store.messageRemoved(this.vhost, this.name, seq);
  }

  /**
   * The message leaves the queue for good once its dead-lettered copies sent
   * to other nodes' queues are confirmed: its next place first, across nodes
   * too. Not confirmed, its removal is not stored: it comes back when the
   * queue is loaded again (a duplicate, never a loss).
   */
  private forgetAfter(forwarded: Forwarded | null, message: Message, seq: number): void {
    if (forwarded === null) return this.forget(message, seq);
    forwarded.forwarded((error) => {
      if (this.deleted) return;
      if (error === undefined) return this.forget(message, seq);
      this.host.fault(
        `a dead-lettered copy of a message of queue '${this.name}' in vhost '${this.vhost}' was not confirmed by the node serving its target queue; the message stays stored and comes back when the queue is loaded again`,
        error,
      );
    });
  }

  /**
   * A failed message takes its next retry tier; else dead-letters when the
   * queue has an existing dead-letter exchange, else drops. Answers what to
   * wait for before the removal is stored (copies sent to other nodes), or null.
   */
  private discard(message: Message, reason: DeathReason): Forwarded | null {
    if (this.retry !== null && (reason === 'rejected' || reason === 'delivery_limit') && this.retry.fail(message)) return null;
    const deadLettered = (this.config.deadLetterExchange !== null || reason === 'delivery_limit') && this.host.deadLetter(this, message, reason);
    if (deadLettered !== false) {
      this.counters.deadLettered++;
      return deadLettered === true ? null : deadLettered;
    }
    if (reason === 'maxlen') this.counters.dropped++;
    if (message.traced) {
      const why =
        this.config.deadLetterExchange === null
          ? 'the queue has no dead-letter exchange'
          : `dead-letter exchange '${this.config.deadLetterExchange}' does not exist`;
      this.host.journeys.step('dropped', this, message, { reason, why });
    }
    return null;
  }

  private wouldOverflow(size: number): boolean {
    const { maxLength, maxLengthBytes } = this.config;
    return (maxLength !== null && this.ready.length + 1 > maxLength) || (maxLengthBytes !== null && this.ready.bytes + size > maxLengthBytes);
  }

  private dropHeadsOverLimit(): void {
    const { maxLength, maxLengthBytes } = this.config;
    const ready = this.ready;
    while (ready.length > 0 && ((maxLength !== null && ready.length > maxLength) || (maxLengthBytes !== null && ready.bytes > maxLengthBytes))) {
      const message = ready.messageAt(0);
      const seq = ready.seqAt(0);
      // The dead-letter copy is recorded before the removal: a crash in between duplicates, never loses.
      this.forgetAfter(this.discard(message, 'maxlen'), message, seq);
      ready.shift();
    }
  }

  private expiryOf(message: Message): number {
    let ttl = this.config.messageTtl ?? Infinity;
    const expiration = message.properties.expiration;
    if (expiration !== undefined) {
      const perMessage = Number(expiration);
      if (Number.isFinite(perMessage) && perMessage >= 0) ttl = Math.min(ttl, perMessage);
    }
    return ttl === Infinity ? 0 : this.host.now() + ttl;
  }

  /**
   * Dead-letters (or drops) the expired head, then removes it. When
   * dead-lettering throws, the message stays at the head, the fault is
   * reported and expiry of this queue is tried again later: false.
   */
  private expireOne(): boolean {
    const ready = this.ready;
    const message = ready.messageAt(0);
    const seq = ready.seqAt(0);
    if (message.traced) this.host.journeys.step('expired', this, message, { expiredAt: ready.expiresAt(0) });
    let forwarded: Forwarded | null;
    try {
      forwarded = this.discard(message, 'expired');
    } catch (error) {
      this.host.fault(`could not dead-letter an expired message of queue '${this.name}' in vhost '${this.vhost}'; it stays in the queue`, error);
      this.expiryHeldUntil = this.host.now() + EXPIRY_RETRY_MS;
      return false;
    }
    this.forgetAfter(forwarded, message, seq);
    ready.shift();
    this.counters.expired++;
    return true;
  }

  /** Drops expired messages at the head. */
  private expireHead(): void {
    const ready = this.ready;
    if (ready.length === 0 || ready.expiresAt(0) === 0) return;
    const now = this.host.now();
    if (now < this.expiryHeldUntil) return;
    while (!this.deleted && ready.length > 0) {
      const expiresAt = ready.expiresAt(0);
      if (expiresAt === 0 || expiresAt > now) break;
      if (!this.expireOne()) break;
    }
  }

  private scheduleExpiry(): void {
    if (this.deleted || this.ready.length === 0) return;
    if (this.ready.expiresAt(0) === 0) return;
    const at = Math.max(this.ready.expiresAt(0), this.expiryHeldUntil);
    const pending = this.expiryWake;
    if (pending && !pending.cancelled && pending.at <= at) return;
    if (pending) pending.cancelled = true;
    this.expiryWake = this.host.scheduler.schedule(at, () => {
      this.expiryWake = null;
      this.expireHead();
      this.scheduleExpiry();
    });
  }

  /** x-expires: delete once unused (no consumers, no get, no redeclare) for that long. */
  private scheduleIdleCheck(): void {
    const expires = this.config.expires;
    if (expires === null || this.deleted) return;
    // A queue with consumers is in use: look again a full period from now.
    const at = this.consumers.length > 0 ? this.host.now() + expires : this.lastUsedAt + expires;
    this.idleWake = this.host.scheduler.schedule(at, () => {
      this.idleWake = null;
      if (this.deleted) return;
      if (this.consumers.length === 0 && this.host.now() >= this.lastUsedAt + expires) this.host.expire(this);
      else this.scheduleIdleCheck();
    });
  }
}
