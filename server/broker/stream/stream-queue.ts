// A stream (x-queue-type: stream): an append-only log that consumers read at
// their own pace, as RabbitMQ streams are read over AMQP 0-9-1. Every routed
// message is appended to the StreamStore with the next offset and the time.
// Reading does not remove anything: each consumer has its own position
// (x-stream-offset), acknowledgements only give credit back (prefetch is
// required), and each delivery carries an `x-stream-offset` header. With
// x-stream-group the position belongs to a named group (consumer-groups.ts).
// Records go only by retention (x-max-age, x-max-length-bytes), in whole
// segments; a stream cannot be purged, and basic.get is refused.
//
// States: live → deleted (destroy(): consumers are cancelled and the store's
// files removed; later calls are no-ops so late acks stay harmless).
//
// Ordering contract: dispatch() never re-enters itself; a deliver callback
// may ack or publish synchronously, and the loop re-reads credit and tail.
// With a durable store, a record is delivered only after the fsync that
// covers it (the store's readableEnd), so consumers never see a message a
// crash could take back.

import type { Binding } from '../binding';
import type { Channel } from '../channel';
import type { Connection } from '../connection';
import type { Consumer } from '../consumer';
import { BrokerError, resourceName } from '../errors';
import { textOf } from '../field-values';
import { Message } from '../message';
import { ENQUEUED, ENQUEUED_SYNCING, newQueueCounters, REFUSED, type EnqueueOutcome, type Queue, type QueueHost, type QueueSettings } from '../queue/queue';
import type { QueueConfig } from '../queue/queue-arguments';
import type { WakeUp } from '../scheduler';
import type { BrowsedMessage, QueueCounters, QueueStats } from '../types';
import type { Unacked } from '../unacked';
import { ConsumerGroups } from './consumer-groups';
import { LAG_SAMPLE_MS, type LagPoint } from './lag-history';
import { parseGroupName, parseStreamPosition, resolveOffset, streamLimits } from './stream-arguments';
import type { StreamRecord, StreamStore } from './stream-store';
import { StreamReader } from './stream-reader';
import type { StreamGroupInfo, StreamPosition, StreamStats } from './stream-types';

/** Most records one browse may return. */
const MAX_PAGE = 1000;

export class StreamQueue implements Queue {
  /** Nothing is ever taken out of a stream: no get, purge, move or extract (queue.ts: messageOperations). */
  readonly messages = null;
  readonly kind = 'queue' as const;
  readonly selfRoute: readonly Queue[] = [this];
  readonly bindings = new Set<Binding>();
  readonly counters: QueueCounters = newQueueCounters();
  /** Streams have no retry tiers (x-retry-tiers is refused on declare). */
  readonly retry = null;
  deleted = false;
  /** A traced message appended here is recorded as entering the stream; its reads are not (a stream keeps no per-message state). */
  traced = false;
  unackedCount = 0;
  readonly store: StreamStore;
  private readonly groups: ConsumerGroups<StreamReader>;
  private readonly readers = new Map<Consumer, StreamReader>();
  private dispatching = false;
  /** A flush is asked for so that waiting readers get what was appended. */
  private wakeAsked = false;
  /** A flush is asked for after which retention runs (a segment was added). */
  private retentionAsked = false;
  private knownSegments: number;
  private retentionWake: WakeUp | null = null;
  private lagWake: WakeUp | null = null;

  constructor(
    private readonly host: QueueHost,
    readonly vhost: string,
    readonly name: string,
    readonly settings: QueueSettings,
    public config: QueueConfig,
    readonly owner: Connection | null,
  ) {
    this.store = host.streams.open(vhost, name, streamLimits(config.arguments));
    this.groups = new ConsumerGroups(this.store, name, vhost);
    this.knownSegments = this.store.segmentCount;
    this.applyRetention();
    this.sampleLag();
  }

  /** A policy set or changed its retention: it applies now. */
  reconfigure(config: QueueConfig): void {
    if (this.deleted) return;
    this.config = config;
    this.store.setLimits(streamLimits(config.arguments));
    if (this.retentionWake) this.retentionWake.cancelled = true;
    this.retentionWake = null;
    this.retainAfterFlush();
  }

  get messageCount(): number {
    return this.store.nextOffset - this.store.firstOffset;
  }

  get readyBytes(): number {
    return this.store.bytes;
  }

  get consumerCount(): number {
    return this.readers.size;
  }

  enqueue(message: Message): EnqueueOutcome {
    if (this.deleted) return REFUSED;
    if (this.traced || message.traced) this.host.journeys.enqueued(this, message, null);
    const store = this.store;
    try {
      store.append({
        timestamp: this.host.now(),
        exchange: message.exchange,
        routingKey: message.routingKey,
        properties: message.properties,
        body: message.body,
      });
    } catch {
      return REFUSED; // the store failed: the publisher gets a nack
    }
    this.counters.published++;
    if (store.segmentCount !== this.knownSegments) this.retainAfterFlush();
    if (this.readers.size > 0) this.wakeReaders();
    return store.durable ? ENQUEUED_SYNCING : ENQUEUED;
  }

  flush(done: (error?: Error) => void): void {
    this.store.flush(done);
  }

  restore(): void {
    // Streams recover from their own files, not from the journal.
  }

  addConsumer(consumer: Consumer): void {
    const where = resourceName('queue', this.name, this.vhost);
    if (consumer.noAck || consumer.prefetch === 0) {
      throw new BrokerError('PRECONDITION_FAILED', `consumer prefetch count is not set for stream ${where}`);
    }
    if (consumer.exclusive ? this.readers.size > 0 : [...this.readers.keys()].some((c) => c.exclusive)) {
      throw new BrokerError('ACCESS_REFUSED', `${where} in exclusive use`);
    }
    const args = consumer.args;
    const position = parseStreamPosition(this.name, this.vhost, args['x-stream-offset'], this.host.now());
    const groupName = parseGroupName(this.name, this.vhost, args['x-stream-group']);
    const reader = new StreamReader(consumer, groupName === null, null);
    if (groupName === null) reader.next = resolveOffset(position, this.store);
    else reader.group = this.groups.join(groupName, reader, () => resolveOffset(position, this.store));
    this.readers.set(consumer, reader);
    if (reader.group) this.sampleLag();
  }

  removeConsumer(consumer: Consumer): void {
    const reader = this.readers.get(consumer);
    if (!reader) return;
    this.readers.delete(consumer);
    if (reader.group && this.groups.leave(reader.group, reader)) this.dispatch();
  }

  dispatch(): void {
    this.dispatchTo(null);
  }

  ack(delivery: Unacked): void {
    if (this.deleted) return;
    this.unackedCount--;
    this.counters.acked++;
    this.settle(delivery);
    this.creditReturned(delivery);
  }

  /** nack/reject with requeue, or a closed channel: streams keep everything, so this only gives credit back. */
  requeue(delivery: Unacked): void {
    if (this.deleted) return;
    this.unackedCount--;
    this.creditReturned(delivery);
  }

  reject(delivery: Unacked): void {
    if (this.deleted) return;
    this.unackedCount--;
    this.counters.rejected++;
    this.settle(delivery);
    this.creditReturned(delivery);
  }

  touch(): void {}

  /** Records from position `offset` (0 = first retained), for the queue browser. */
  browse(offset: number, limit: number): BrowsedMessage[] {
    const first = this.store.firstOffset;
    return this.store.read(first + Math.max(0, offset), Math.min(limit, MAX_PAGE)).map((r) => ({
      position: r.offset - first,
      seq: r.offset,
      brokerId: null,
      redelivered: false,
      deliveryCount: 0,
      exchange: r.exchange,
      routingKey: r.routingKey,
      properties: r.properties,
      body: r.body,
      expiresAt: null,
    }));
  }

  consumerList(): { consumer: Consumer; active: boolean }[] {
    return [...this.readers.values()].map((r) => ({ consumer: r.consumer, active: r.active }));
  }

  destroy(): number {
    if (this.deleted) return 0;
    const count = this.messageCount;
    this.deleted = true;
    if (this.retentionWake) this.retentionWake.cancelled = true;
    if (this.lagWake) this.lagWake.cancelled = true;
    const consumers = [...this.readers.keys()];
    this.readers.clear();
    for (const consumer of consumers) consumer.channel.serverCancel(consumer);
    this.store.destroy();
    return count;
  }

  stats(): QueueStats {
    return {
      vhost: this.vhost,
      name: this.name,
      type: 'stream',
      durable: this.settings.durable,
      exclusive: false,
      autoDelete: false,
      arguments: this.settings.arguments,
      policy: this.config.policy,
      effectiveArguments: this.config.arguments,
      ownerConnectionId: null,
      ready: this.messageCount,
      unacked: this.unackedCount,
      readyBytes: this.readyBytes,
      consumers: this.readers.size,
      activeConsumerTag: null,
      counters: { ...this.counters },
      // Stream readers pull at their own pace: the queue never waits on them.
      consumersSaturatedMs: 0,
      // Stream positions are offsets, reported by the streams API; the queue view has no head to date.
      headSeq: null,
      paused: false,
      nextSeq: 0,
    };
  }

  // ---- streams API (console) ---------------------------------------------------

  streamStats(): StreamStats {
    const store = this.store;
    const segments = store.segments();
    const empty = store.nextOffset === store.firstOffset;
    return {
      vhost: this.vhost,
      name: this.name,
      arguments: this.settings.arguments,
      messages: this.messageCount,
      bytes: store.bytes,
      segments: segments.length,
      firstOffset: empty ? null : store.firstOffset,
      lastOffset: empty ? null : store.nextOffset - 1,
      firstTimestamp: segments.find((s) => s.firstTimestamp !== null)?.firstTimestamp ?? null,
      lastTimestamp: store.lastTimestamp,
      published: this.counters.published,
      delivered: this.counters.delivered,
      consumers: this.readers.size,
      groups: this.groups.all().length,
    };
  }

  groupInfos(): StreamGroupInfo[] {
    return this.groups.all().map((group) => {
      const active = group.members.find((m) => m.active);
      return {
        name: group.name,
        committedOffset: group.committed,
        consumers: group.members.length,
        activeConsumerTag: active ? active.consumer.tag : null,
        activeConnectionId: active ? active.consumer.channel.connection.id : null,
        lag: this.groups.lag(group),
      };
    });
  }

  /** Moves a group so that it resumes at `to`; 406 while one of its consumers is connected. */
  resetGroup(group: string, to: StreamPosition): number {
    const resumeAt = resolveOffset(to, this.store);
    this.groups.reset(group, resumeAt);
    this.sampleLag();
    return resumeAt;
  }

  /** A group's lag once a second over the last 15 minutes, oldest first. */
  lagHistory(group: string, since?: number): LagPoint[] {
    return this.groups.history(group, since);
  }

  // ---- internals -------------------------------------------------------------------

  /** Delivers to one reader (an ack gives credit to its own consumer only), or to every active one. */
  private dispatchTo(only: StreamReader | null): void {
    if (this.dispatching || this.deleted) return;
    this.dispatching = true;
    try {
      if (only !== null) {
        if (only.active) this.feed(only);
      } else {
        for (const reader of this.readers.values()) if (reader.active) this.feed(reader);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** An ack or a reject settles the delivery for its consumer's group. */
  private settle(delivery: Unacked): void {
    const consumer = delivery.consumer;
    if (consumer === null) return;
    // A consumer cancelled with deliveries outstanding may still settle them: they count for its group.
    const group = this.readers.get(consumer)?.group ?? this.groups.get(textOf(consumer.args['x-stream-group']) ?? '');
    if (group) this.groups.settle(group, delivery.seq);
  }

  private creditReturned(delivery: Unacked): void {
    const reader = delivery.consumer && this.readers.get(delivery.consumer);
    if (reader) this.dispatchTo(reader);
  }

  /** Delivers to one reader while it has credit and records are readable. */
  private feed(reader: StreamReader): void {
    const consumer = reader.consumer;
    const channel: Channel = consumer.channel;
    while (!this.deleted && reader.active && consumer.canReceive()) {
      const record = reader.take(this.store);
      if (record === undefined) return;
      this.counters.delivered++;
      this.unackedCount++;
      if (reader.group) this.groups.delivered(reader.group, record.offset);
      channel.deliverTo(consumer, this, deliveryMessage(record), record.offset, 0, 0);
    }
  }

  /** New records become readable after the store's flush: dispatch then (once per flush). */
  private wakeReaders(): void {
    if (this.wakeAsked) return;
    this.wakeAsked = true;
    this.store.flush(() => {
      this.wakeAsked = false;
      this.dispatch();
    });
  }

  /** While the stream has groups, samples their lag every LAG_SAMPLE_MS. */
  private sampleLag(): void {
    if (this.deleted || this.lagWake !== null || this.groups.all().length === 0) return;
    this.lagWake = this.host.scheduler.schedule(this.host.now() + LAG_SAMPLE_MS, () => {
      this.lagWake = null;
      if (this.deleted) return;
      this.groups.sample(this.host.now());
      this.sampleLag();
    });
  }

  /** Retention after a new segment, once the store has synced (only synced segments may go). */
  private retainAfterFlush(): void {
    this.knownSegments = this.store.segmentCount;
    if (this.retentionAsked) return;
    this.retentionAsked = true;
    const segments = this.store.segmentCount;
    this.store.flush(() => {
      this.retentionAsked = false;
      this.applyRetention();
      // Segments added while this flush ran are settled by the next one.
      if (!this.deleted && this.store.segmentCount !== segments) this.retainAfterFlush();
    });
  }

  /** Drops old segments; with x-max-age, looks again periodically. */
  private applyRetention(): void {
    if (this.deleted) return;
    this.store.applyRetention(this.host.now());
    this.knownSegments = this.store.segmentCount;
    const maxAge = streamLimits(this.config.arguments).maxAgeMs;
    if (maxAge === null || (this.retentionWake && !this.retentionWake.cancelled)) return;
    const every = Math.min(Math.max(maxAge / 10, 1000), 60_000);
    this.retentionWake = this.host.scheduler.schedule(this.host.now() + every, () => {
      this.retentionWake = null;
      this.applyRetention();
    });
  }
}

/** The message as a consumer gets it: its offset in the x-stream-offset header, a long ('l') as RabbitMQ sends it. */
function deliveryMessage(record: StreamRecord): Message {
  const properties = record.properties;
  return new Message(
    record.offset,
    record.exchange,
    record.routingKey,
    { ...properties, headers: { ...properties.headers, 'x-stream-offset': BigInt(record.offset) } },
    record.body,
  );
}
