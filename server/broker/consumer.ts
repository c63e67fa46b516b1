// A consumer: one basic.consume of a channel on a queue. It may receive
// while its channel is writable and it has credit: prefetch 0 = unlimited,
// no-ack consumers are never limited by prefetch (RabbitMQ semantics).

import type { Channel } from './channel';
import type { Queue } from './queue/queue';
import type { CancelFn, ConsumerInfo, DeliverFn, FieldTable } from './types';

export class Consumer {
  /** Deliveries not yet acked or rejected. */
  unacked = 0;

  constructor(
    readonly tag: string,
    readonly channel: Channel,
    readonly queue: Queue,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    readonly priority: number,
    /** Per-consumer prefetch (basic.qos global=false at consume time). */
    readonly prefetch: number,
    readonly args: FieldTable,
    readonly deliver: DeliverFn,
    readonly onCancel: CancelFn | undefined,
  ) {}

  canReceive(): boolean {
    const channel = this.channel;
    if (!channel.writable) return false;
    if (this.noAck) return true;
    return (this.prefetch === 0 || this.unacked < this.prefetch) && channel.hasSharedCredit();
  }

  info(active: boolean): ConsumerInfo {
    return {
      vhost: this.queue.vhost,
      queue: this.queue.name,
      consumerTag: this.tag,
      connectionId: this.channel.connection.id,
      channel: this.channel.number,
      noAck: this.noAck,
      exclusive: this.exclusive,
      priority: this.priority,
      prefetchCount: this.prefetch,
      unacked: this.unacked,
      active,
      arguments: this.args,
    };
  }
}
