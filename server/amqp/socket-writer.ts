import type { Socket } from 'node:net';
import type { AmqpChannel } from './channel';
import { FrameOutput } from './codec/frame-output';
import { writeBasicAck, writeBasicNack } from './codec/generated/spec';

/**
 * Output side of one connection. Frames gather in `frames` and go out once
 * per event-loop turn (sooner when FLUSH_NOW_BYTES are queued) as one corked
 * write; pending publisher confirms are turned into basic.ack/nack frames
 * just before, so that a burst is acknowledged with one multiple ack.
 *
 * States: writable ⇄ full. Full from the moment socket.write() returns
 * false until 'drain'; the connection then stops deliveries on its channels
 * (onWritableChanged). A peer that reads nothing at all while more than
 * STOP_READING_BYTES wait in the socket is not read from either, until it
 * drains: a fast publisher that ignores our replies cannot exhaust memory.
 */
const FLUSH_NOW_BYTES = 256 * 1024;
const STOP_READING_BYTES = 64 * 1024 * 1024;

export class SocketWriter {
  readonly frames = new FrameOutput();
  full = false;
  private readonly confirmsReady = new Set<AmqpChannel>();
  private flushScheduled = false;
  private readonly flushBound = () => this.flush();

  constructor(
    private readonly socket: Socket,
    private readonly onWritableChanged: () => void,
    private readonly onFlushed: () => void,
  ) {
    socket.on('drain', () => {
      this.full = false;
      this.onWritableChanged();
    });
  }

  /** Frames were added: flush at the end of this turn, or now if a lot is queued. */
  queued(): void {
    if (this.frames.pending >= FLUSH_NOW_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /** A channel has confirms ready to send. */
  confirmReady(ch: AmqpChannel): void {
    this.confirmsReady.add(ch);
    this.queued();
  }

  forget(ch: AmqpChannel): void {
    this.confirmsReady.delete(ch);
  }

  flush(): void {
    this.flushScheduled = false;
    for (const ch of this.confirmsReady) {
      ch.confirms?.flush((deliveryTag, multiple, ack) =>
        this.frames.method(ch.number, ack ? writeBasicAck : writeBasicNack, { deliveryTag, multiple, requeue: false }),
      );
    }
    this.confirmsReady.clear();
    const segments = this.frames.take();
    if (segments.length === 0 || this.socket.destroyed) return;
    this.onFlushed();
    let ok = true;
    if (segments.length === 1) {
      ok = this.socket.write(segments[0]!);
    } else {
      this.socket.cork();
      for (const s of segments) ok = this.socket.write(s);
      this.socket.uncork();
    }
    if (!ok && !this.full) {
      this.full = true;
      this.onWritableChanged();
    }
    if (this.socket.writableLength > STOP_READING_BYTES) this.socket.pause();
  }
}
