import net from 'node:net';
import { FrameOutput } from '../../server/amqp/codec/frame-output';
import { FrameParser } from '../../server/amqp/codec/frame-parser';
import * as spec from '../../server/amqp/codec/generated/spec';
import { Reader } from '../../server/amqp/codec/reader';
import type { Writer } from '../../server/amqp/codec/writer';

/**
 * A byte-level AMQP client for tests that a well-behaved library cannot
 * express: exact frames, bad frames, wire-level observations. Frames the
 * server sends are decoded and queued; nextMethod() takes them in order.
 */
type EncoderName = Extract<keyof typeof spec, `write${string}`>;

export class RawClient {
  readonly output = new FrameOutput();
  private readonly methods: spec.AmqpMethod[] = [];
  private readonly waiters: (() => void)[] = [];
  closed = false;
  /** The first bytes received, raw (a protocol header sent back). */
  received = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    const parser = new FrameParser(
      {
        protocolHeader: () => {},
        frame: (type, _channel, payload) => {
          if (type === spec.FRAME_METHOD) this.methods.push(spec.readMethod(new Reader(Buffer.from(payload))));
          this.wake();
        },
      },
      1 << 30,
      false,
    );
    socket.on('data', (chunk: Buffer) => {
      if (this.received.length < 64) this.received = Buffer.concat([this.received, chunk]).subarray(0, 64);
      try {
        parser.push(chunk);
      } catch {
        // not frames (e.g. a protocol header): kept in `received`
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connects and, unless `handshake` is false, logs in as guest and opens vhost '/'. */
  static async connect(port: number, handshake = true): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    if (!handshake) return client;
    await client.login();
    client.method(0, 'writeConnectionOpen', { virtualHost: '/' });
    await client.expectMethod('connection.open-ok');
    return client;
  }

  /** Protocol header, start-ok as guest, tune-ok with `tune` overriding the server's offer. */
  async login(tune: Partial<spec.ConnectionTuneOk> = {}): Promise<spec.ConnectionTune> {
    this.socket.write(spec.PROTOCOL_HEADER);
    await this.expectMethod('connection.start');
    this.method(0, 'writeConnectionStartOk', {
      clientProperties: { capabilities: { authentication_failure_close: true } },
      mechanism: 'PLAIN',
      response: Buffer.from('\0guest\0guest'),
      locale: 'en_US',
    });
    const offer = (await this.expectMethod('connection.tune')).args as spec.ConnectionTune;
    this.method(0, 'writeConnectionTuneOk', { ...offer, ...tune });
    return offer;
  }

  method(channel: number, encoder: EncoderName, args: object): void {
    this.output.method(channel, spec[encoder] as (w: Writer, a: object) => void, args);
    this.flush();
  }

  /** A basic.publish with its content, queued until flush(). */
  publish(channel: number, exchange: string, routingKey: string, body: Buffer, properties: spec.BasicProperties = {}): void {
    this.output.method(channel, spec.writeBasicPublish, { exchange, routingKey, mandatory: false, immediate: false });
    this.output.content(channel, spec.ClassId.BASIC, properties, body, 131072);
  }

  async openChannel(channel: number): Promise<void> {
    this.method(channel, 'writeChannelOpen', {});
    await this.expectMethod('channel.open-ok');
  }

  flush(): void {
    for (const b of this.output.take()) this.socket.write(b);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next method the server sent; rejects if the socket closes first or after `timeoutMs`. */
  async nextMethod(timeoutMs = 3000): Promise<spec.AmqpMethod> {
    const deadline = Date.now() + timeoutMs;
    while (this.methods.length === 0) {
      if (this.closed) throw new Error('socket closed');
      if (Date.now() > deadline) throw new Error('no method received in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.methods.shift()!;
  }

  /** Skips heartbeats and content; fails if another method comes first. */
  async expectMethod(name: string): Promise<spec.AmqpMethod> {
    const m = await this.nextMethod();
    if (m.name !== name) throw new Error(`expected ${name}, got ${m.name} ${JSON.stringify(m.args)}`);
    return m;
  }

  /** Resolves once the server has closed the socket. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
