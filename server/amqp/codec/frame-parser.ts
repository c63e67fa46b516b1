import { CodecError } from './errors';
import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from './generated/spec';

/**
 * Splits an AMQP byte stream into frames.
 *
 * Frame layout (AMQP 0-9-1 section 4.2.3):
 *
 *   0      1         3         7                 7+size     8+size
 *   +------+---------+---------+ +-------------+ +-----------+
 *   | type | channel |  size   | |   payload   | | frame-end |
 *   +------+---------+---------+ +-------------+ +-----------+
 *    octet   short      long      size octets      0xCE
 *
 * States:
 *   PROTOCOL  collecting the 8-byte protocol header ("AMQP" 0 0 9 1)
 *   HEADER    collecting the 7 bytes of a frame header
 *   PAYLOAD   collecting size+1 bytes (payload and frame-end) of a frame
 *   STOPPED   after stop() or an error: further input is ignored
 *
 * A frame that lies whole inside one TCP chunk is handed out as a view into
 * that chunk (no copy, even when several frames are packed into a chunk);
 * only a frame split across chunks is assembled into a buffer of its own.
 * Frames larger than frameMax and a wrong frame-end octet are 501 FRAME_ERROR.
 *
 * hold() (from inside frame()) stops handing out frames after the current
 * one; the input after it is kept, and more pushed meanwhile is appended,
 * until release() goes on from there.
 */
export interface FrameHandler {
  protocolHeader(header: Buffer): void;
  /** `payload` may be a view into the socket chunk: copy what must outlive the call. */
  frame(type: number, channel: number, payload: Buffer): void;
}

const enum State {
  Protocol,
  Header,
  Payload,
  Stopped,
}

const FRAME_HEADER_SIZE = 7;
const PROTOCOL_HEADER_SIZE = 8;

export class FrameParser {
  /** Largest frame accepted, header and frame-end included. Lowered after tune. */
  frameMax: number;
  private state = State.Protocol;
  /** Partial protocol or frame header (copied: it spans chunks). */
  private readonly scratch = Buffer.alloc(PROTOCOL_HEADER_SIZE);
  private scratchFill = 0;
  private type = 0;
  private channel = 0;
  private size = 0;
  private payload: Buffer = Buffer.alloc(0);
  private payloadFill = 0;
  private holding = false;
  /** Input not parsed yet because of hold(). */
  private heldInput: Buffer | undefined;

  constructor(
    private readonly handler: FrameHandler,
    frameMax: number,
    expectProtocolHeader = true,
  ) {
    this.frameMax = frameMax;
    if (!expectProtocolHeader) this.state = State.Header;
  }

  stop(): void {
    this.state = State.Stopped;
  }

  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /** Hands out no frame after the current one until release(). */
  hold(): void {
    this.holding = true;
  }

  /** Goes on with the input kept since hold(); throws as push() does. */
  release(): void {
    this.holding = false;
    const input = this.heldInput;
    this.heldInput = undefined;
    if (input !== undefined) this.push(input);
  }

  /** Feeds one chunk; throws CodecError on malformed input (the parser is then stopped). */
  push(chunk: Buffer): void {
    if (this.holding) {
      this.heldInput = this.heldInput === undefined ? chunk : Buffer.concat([this.heldInput, chunk]);
      return;
    }
    try {
      this.consume(chunk);
    } catch (err) {
      this.state = State.Stopped;
      throw err;
    }
  }

  private consume(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      switch (this.state) {
        case State.Stopped:
          return;
        case State.Protocol: {
          const n = Math.min(PROTOCOL_HEADER_SIZE - this.scratchFill, len - pos);
          chunk.copy(this.scratch, this.scratchFill, pos, pos + n);
          this.scratchFill += n;
          pos += n;
          if (this.scratchFill === PROTOCOL_HEADER_SIZE) {
            this.scratchFill = 0;
            this.state = State.Header;
            this.handler.protocolHeader(Buffer.from(this.scratch));
          }
          break;
        }
        case State.Header: {
          if (this.scratchFill === 0 && len - pos >= FRAME_HEADER_SIZE) {
            this.readHeader(chunk, pos);
            pos += FRAME_HEADER_SIZE;
            // Fast path: the whole payload is in this chunk.
            if (len - pos > this.size) {
              const end = pos + this.size;
              this.checkFrameEnd(chunk[end]);
              this.handler.frame(this.type, this.channel, chunk.subarray(pos, end));
              pos = end + 1;
              if (this.holding) return this.keep(chunk, pos);
            } else {
              this.startPayload();
            }
            break;
          }
          const n = Math.min(FRAME_HEADER_SIZE - this.scratchFill, len - pos);
          chunk.copy(this.scratch, this.scratchFill, pos, pos + n);
          this.scratchFill += n;
          pos += n;
          if (this.scratchFill === FRAME_HEADER_SIZE) {
            this.scratchFill = 0;
            this.readHeader(this.scratch, 0);
            this.startPayload();
          }
          break;
        }
        case State.Payload: {
          const n = Math.min(this.payload.length - this.payloadFill, len - pos);
          chunk.copy(this.payload, this.payloadFill, pos, pos + n);
          this.payloadFill += n;
          pos += n;
          if (this.payloadFill === this.payload.length) {
            this.checkFrameEnd(this.payload[this.size]);
            this.state = State.Header;
            this.handler.frame(this.type, this.channel, this.payload.subarray(0, this.size));
            if (this.holding) return this.keep(chunk, pos);
          }
          break;
        }
      }
    }
  }

  private keep(chunk: Buffer, from: number): void {
    if (from < chunk.length) this.heldInput = chunk.subarray(from);
  }

  private readHeader(buf: Buffer, at: number): void {
    this.type = buf[at]!; // the caller holds the whole frame header
    this.channel = buf.readUInt16BE(at + 1);
    this.size = buf.readUInt32BE(at + 3);
    if (this.type !== FRAME_METHOD && this.type !== FRAME_HEADER && this.type !== FRAME_BODY && this.type !== FRAME_HEARTBEAT) {
      throw new CodecError(501, `FRAME_ERROR - unknown frame type ${this.type}`);
    }
    if (this.size + FRAME_HEADER_SIZE + 1 > this.frameMax) {
      throw new CodecError(501, `FRAME_ERROR - frame size ${this.size + 8} larger than negotiated maximum ${this.frameMax}`);
    }
  }

  private startPayload(): void {
    this.payload = Buffer.allocUnsafe(this.size + 1);
    this.payloadFill = 0;
    this.state = State.Payload;
  }

  private checkFrameEnd(octet: number | undefined): void {
    if (octet !== FRAME_END) throw new CodecError(501, `FRAME_ERROR - frame end octet 0x${(octet ?? 0).toString(16)} instead of 0xce`);
  }
}
