// A client connection as the engine sees it: who it is, its channels, and the
// exclusive queues it owns. States: open → closed (close() is idempotent).
// Closing closes every channel (requeueing their unacked messages) and then
// deletes the exclusive queues it owns.

import type { Broker } from './broker';
import { Channel } from './channel';
import type { ConnectionInfo } from './types';

export class Connection {
  /** Open channels by channel number. */
  readonly channels = new Map<number, Channel>();
  readonly connectedAt: number;
  closed = false;

  constructor(
    readonly broker: Broker,
    readonly id: string,
    readonly info: ConnectionInfo,
  ) {
    this.connectedAt = broker.now();
  }

  get vhost(): string {
    return this.info.vhost;
  }

  /** channel.open. A number already open is 504 CHANNEL_ERROR (connection scope). */
  openChannel(channelNumber: number): Channel {
    void channelNumber;
    throw new Error('not implemented');
  }

  /** The channel with that number, or undefined. */
  channel(channelNumber: number): Channel | undefined {
    return this.channels.get(channelNumber);
  }

  /** The transport lost or closed the connection: close channels, drop exclusive queues. */
  close(): void {
    throw new Error('not implemented');
  }
}
