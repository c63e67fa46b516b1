// A client connection as the engine sees it: who it is, its channels, and the
// exclusive queues it owns. States: open → closed (close() is idempotent).
// Closing closes every channel (requeueing their unacked messages) and then
// deletes the exclusive queues it owns.

import type { Broker } from './broker';
import type { EngineContext } from './engine-context';
import { Channel } from './channel';
import { BrokerError } from './errors';
import type { GlobalCounters } from './global-counters';
import type { Queue } from './queue/queue';
import type { ConnectionInfo, ConnectionSummary } from './types';
import type { Vhost } from './vhost';

export class Connection {
  /** Open channels by channel number. */
  readonly channels = new Map<number, Channel>();
  /** Exclusive queues declared by this connection; deleted when it closes. */
  readonly exclusiveQueues = new Set<Queue>();
  readonly connectedAt: number;
  closed = false;

  constructor(
    readonly broker: Broker,
    private readonly engine: EngineContext,
    readonly id: string,
    readonly info: ConnectionInfo,
  ) {
    this.connectedAt = engine.now();
  }

  /** The broker's engine-wide counters, which this connection's channels add to. */
  get counters(): GlobalCounters {
    return this.engine.counters;
  }

  get vhost(): string {
    return this.info.vhost;
  }

  /** The vhost object; 530 NOT_ALLOWED (connection scope) once the vhost is gone. */
  vhostOrDie(): Vhost {
    const vhost = this.engine.findVhost(this.info.vhost);
    if (!vhost) throw new BrokerError('NOT_ALLOWED', `vhost ${this.info.vhost} not found`, 'connection');
    return vhost;
  }

  /** channel.open. A number already open is 504 CHANNEL_ERROR (connection scope). */
  openChannel(channelNumber: number): Channel {
    if (this.closed) throw new BrokerError('CHANNEL_ERROR', 'connection is closed', 'connection');
    if (this.channels.has(channelNumber)) {
      throw new BrokerError('CHANNEL_ERROR', `second 'channel.open' seen on channel ${channelNumber}`, 'connection');
    }
    const channel = new Channel(this, channelNumber);
    this.channels.set(channelNumber, channel);
    this.engine.counters.channelsOpened++;
    return channel;
  }

  /** The channel with that number, or undefined. */
  channel(channelNumber: number): Channel | undefined {
    return this.channels.get(channelNumber);
  }

  /** The transport lost or closed the connection: close channels, drop exclusive queues. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const channel of [...this.channels.values()]) channel.close();
    const vhost = this.engine.findVhost(this.info.vhost);
    for (const queue of [...this.exclusiveQueues]) vhost?.removeQueue(queue);
    this.exclusiveQueues.clear();
    this.engine.forgetConnection(this);
  }

  summary(): ConnectionSummary {
    let consumers = 0;
    let unacked = 0;
    for (const channel of this.channels.values()) {
      consumers += channel.consumers.size;
      unacked += channel.unackedCount;
    }
    const traffic = this.info.traffic?.() ?? { received: 0, sent: 0 };
    return {
      id: this.id,
      vhost: this.info.vhost,
      user: this.info.user,
      peerAddress: this.info.peerAddress,
      peerPort: this.info.peerPort ?? null,
      protocol: this.info.protocol ?? 'AMQP 0-9-1',
      clientProperties: this.info.clientProperties,
      connectedAt: this.connectedAt,
      channels: this.channels.size,
      consumers,
      unacked,
      bytesReceived: traffic.received,
      bytesSent: traffic.sent,
    };
  }
}
