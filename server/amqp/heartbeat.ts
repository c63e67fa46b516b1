/**
 * Heartbeats of one connection (AMQP 0-9-1 section 4.2.7), once tune-ok has
 * fixed the interval. A timer ticks every half interval:
 *   - nothing sent since the last tick: send a heartbeat frame;
 *   - nothing received for four ticks (two intervals): the peer is gone.
 * While the connection is paused (blocked publisher, not read from) silence
 * proves nothing, so it is not counted. States: running → stopped.
 */
export interface HeartbeatPeer {
  sendHeartbeat(): void;
  /** True while the socket is deliberately not read. */
  paused(): boolean;
  /** Two intervals without a byte from the peer. */
  silent(): void;
}

const SILENT_TICKS = 4;

export class Heartbeat {
  private receivedSinceTick = true;
  private sentSinceTick = false;
  private silentTicks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(seconds: number, peer: HeartbeatPeer) {
    this.timer = setInterval(
      () => {
        if (!this.sentSinceTick) peer.sendHeartbeat();
        this.sentSinceTick = false;
        if (this.receivedSinceTick || peer.paused()) this.silentTicks = 0;
        else if (++this.silentTicks >= SILENT_TICKS) peer.silent();
        this.receivedSinceTick = false;
      },
      (seconds * 1000) / 2,
    );
    this.timer.unref();
  }

  received(): void {
    this.receivedSinceTick = true;
  }

  sent(): void {
    this.sentSinceTick = true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
