import type { DeclareClaims } from './declare-claims';
import type { Socket } from 'node:net';
import type { GuardedOperation, TopicPermissionKind } from '../broker/access/access-control';
import type { Broker } from '../broker/broker';
import type { Connection } from '../broker/connection';
import { BrokerError } from '../broker/errors';
import type { Delivery, MessageProperties } from '../broker/types';
import type { Logger } from '../log';
import { AmqpChannel, commandInvalid } from './channel';
import { CodecError, FieldValueError } from './codec/errors';
import type { FieldTable } from './codec/field-value';
import { FrameParser } from './codec/frame-parser';
import {
  ClassId,
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FRAME_MIN_SIZE,
  PROTOCOL_HEADER,
  readMethod,
  writeBasicDeliver,
  writeChannelOpenOk,
  writeConnectionBlocked,
  writeConnectionClose,
  writeConnectionCloseOk,
  writeConnectionOpenOk,
  writeConnectionStart,
  writeConnectionTune,
  writeConnectionUnblocked,
  writeConnectionUpdateSecretOk,
  type AmqpMethod,
} from './codec/generated/spec';
import { Reader } from './codec/reader';
import { fitShortString, type Writer } from './codec/writer';
import type { DirectReplyTo } from './direct-reply-to';
import { clientHas, MECHANISMS, parseCredentials, serverProperties, type Authenticate } from './handshake';
import { Heartbeat } from './heartbeat';
import { SocketWriter } from './socket-writer';

/** What every connection of one listener shares. */
export interface ServerContext {
  broker: Broker;
  authenticate: Authenticate;
  frameMax: number;
  heartbeat: number;
  channelMax: number;
  directReplyTo: DirectReplyTo;
  /** Memory alarm reason while publishers must be blocked, else null. */
  blockedReason: string | null;
  /** Why new connections are refused at start-ok (a cluster node without its database), else null. */
  refusedReason: string | null;
  /**
   * Called when a connection spent its read budget for the turn: the memory
   * alarm looks at the heap at once, so that a publisher flat out cannot fill
   * it between two of its timer's checks on a loaded machine.
   */
  busyReader(): void;
  forget(conn: AmqpConnection): void;
  /** Connections opened and closed, channel errors (user, peer, client name; never a password or a body). */
  logger: Logger;
  /** Cluster mode: new durable queues and exchanges are claimed in the shared database first. */
  claims: DeclareClaims | undefined;
}

/**
 * One client connection: negotiation, heartbeats, the close handshake,
 * output batching and back-pressure, and dispatch of frames to channels.
 *
 * States:
 *   AwaitingHeader   nothing read yet; a wrong protocol header is answered
 *                    with the right one and the socket closes
 *   AwaitingStartOk  connection.start sent
 *   Authenticating   start-ok read, the authenticate callback is running
 *   AwaitingTuneOk   connection.tune sent
 *   AwaitingOpen     tune-ok read: frame_max, channel_max, heartbeat fixed
 *   Open             channels may be opened
 *   Closing          connection.close sent (error, console, shutdown): only
 *                    close/close-ok are read, until close-ok or a timeout
 *   Closed           socket gone; the engine connection is closed
 *
 * Output and back-pressure: socket-writer.ts; heartbeats: heartbeat.ts.
 */
const enum State {
  AwaitingHeader,
  AwaitingStartOk,
  Authenticating,
  AwaitingTuneOk,
  AwaitingOpen,
  Open,
  Closing,
  Closed,
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CLOSE_OK_TIMEOUT_MS = 1_000;
/**
 * Input one connection handles per event-loop turn. libuv reads a busy
 * socket up to 32 times per turn (2 MiB of publishes, tens of ms of work);
 * pausing after this much lets every other connection's input, timers and
 * flushes in between, so a flat-out publisher cannot delay a quiet one.
 */
const READ_BUDGET_BYTES = 256 * 1024;

export class AmqpConnection {
  readonly reader = new Reader();
  readonly peerAddress: string;
  engine: Connection | undefined;
  clientProperties: FieldTable = {};
  vhost = '/';
  user = '';
  frameMax: number;
  channelMax: number;

  private state = State.AwaitingHeader;
  private readonly parser: FrameParser;
  private readonly writer: SocketWriter;
  private readonly channels = new Map<number, AmqpChannel>();
  /** Handshake and close-ok deadlines. */
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: Heartbeat | undefined;
  /** Set on the first basic.publish: only publishers are blocked by a memory alarm. */
  private publisher = false;
  private blocked = false;
  /** Holds on the input (holdInputUntil) not yet resumed: a reply that waits for the disk, a cluster claim. */
  private inputHolds = 0;
  /** Bytes read in this event-loop turn, and whether that spent READ_BUDGET_BYTES. */
  private readThisTurn = 0;
  private readBudgetSpent = false;
  private readonly endOfTurn = () => this.resetReadBudget();
  /** Connection-class method being handled (class << 16 | method), for close reasons. */
  private currentMethod = 0;
  /** Why the connection ends, for its log line: the connection.close sent or received. */
  private closeReason: { by: 'broker' | 'client'; replyCode: number; replyText: string } | undefined;

  constructor(
    readonly socket: Socket,
    readonly server: ServerContext,
  ) {
    this.peerAddress = socket.remoteAddress ?? 'unknown';
    this.frameMax = server.frameMax;
    this.channelMax = server.channelMax;
    this.parser = new FrameParser({ protocolHeader: (h) => this.protocolHeader(h), frame: (t, c, p) => this.frame(t, c, p) }, server.frameMax);
    this.writer = new SocketWriter(
      socket,
      () => this.writableChanged(),
      () => this.heartbeat?.sent(),
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', () => this.onSocketClosed());
    this.timer = setTimeout(() => this.socket.destroy(), HANDSHAKE_TIMEOUT_MS);
  }

  get broker(): Broker {
    return this.server.broker;
  }

  /** The socket refused more data; deliveries wait for 'drain'. */
  get socketFull(): boolean {
    return this.writer.full;
  }

  // ---- input --------------------------------------------------------------

  /**
   * Handles no further input until `wait` calls back: a reply that must wait
   * for the disk (a durable declare, a purge) keeps its place in the wire
   * order, as RabbitMQ's channel process waits for its disk write. Holds
   * nest: a declare that waited for its cluster claim may then wait for the
   * disk; input goes on once every hold has resumed.
   */
  holdInputUntil(wait: (resume: () => void) => void): void {
    this.parser.hold();
    this.inputHolds++;
    this.socket.pause();
    wait(() => {
      this.inputHolds--;
      this.resumeInput();
    });
  }

  /** Goes on reading once neither a reply waiting for the disk nor an alarm holds the input. */
  private resumeInput(): void {
    if (this.inputHolds > 0 || this.blocked) return;
    try {
      this.parser.release();
    } catch (err) {
      this.fail(err, 0);
    }
    this.resumeSocket();
  }

  private onData(chunk: Buffer): void {
    this.heartbeat?.received();
    if (this.readThisTurn === 0) setImmediate(this.endOfTurn);
    this.readThisTurn += chunk.length;
    try {
      this.parser.push(chunk);
    } catch (err) {
      this.fail(err, 0);
    }
    if (this.readThisTurn >= READ_BUDGET_BYTES && !this.readBudgetSpent) {
      this.readBudgetSpent = true;
      this.socket.pause();
      this.server.busyReader();
    }
  }

  /** A new turn: a connection that spent its budget reads again (unless something else holds it). */
  private resetReadBudget(): void {
    this.readThisTurn = 0;
    if (!this.readBudgetSpent) return;
    this.readBudgetSpent = false;
    this.resumeSocket();
  }

  private resumeSocket(): void {
    if (this.inputHolds === 0 && !this.blocked && !this.writer.full && !this.readBudgetSpent) this.socket.resume();
  }

  private protocolHeader(header: Buffer): void {
    if (!header.equals(PROTOCOL_HEADER)) {
      this.parser.stop();
      this.writer.frames.raw(PROTOCOL_HEADER);
      this.writer.flush();
      this.state = State.Closed;
      this.socket.end();
      return;
    }
    this.state = State.AwaitingStartOk;
    this.send(0, writeConnectionStart, {
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: serverProperties(),
      mechanisms: Buffer.from(MECHANISMS),
      locales: Buffer.from('en_US'),
    });
  }

  private frame(type: number, channel: number, payload: Buffer): void {
    try {
      if (type === FRAME_HEARTBEAT) {
        if (channel !== 0) throw new CodecError(501, 'FRAME_ERROR - heartbeat frame on a non-zero channel');
        return;
      }
      if (this.state === State.Closing || this.state === State.Closed) {
        if (type === FRAME_METHOD && channel === 0) this.closingMethod(readMethod(this.reader.reset(payload, 0, payload.length)));
        return;
      }
      if (type === FRAME_HEADER || type === FRAME_BODY) {
        const ch = channel === 0 ? undefined : this.channels.get(channel);
        if (!ch) throw new CodecError(504, `CHANNEL_ERROR - content frame on channel ${channel}, which is not open`);
        if (type === FRAME_HEADER) ch.contentHeader(payload);
        else ch.contentBody(payload);
        return;
      }
      // Known before decoding, so that a field refused while decoding names its method.
      const ch = channel === 0 ? undefined : this.channels.get(channel);
      if (ch !== undefined && payload.length >= 4) ch.currentMethod = payload.readUInt32BE(0);
      const m = readMethod(this.reader.reset(payload, 0, payload.length));
      if (channel === 0) {
        this.currentMethod = m.id;
        this.connectionMethod(m);
      } else {
        this.channelMethod(channel, m);
      }
    } catch (err) {
      this.fail(err, channel);
    }
  }

  // ---- connection class ------------------------------------------------------

  private connectionMethod(m: AmqpMethod): void {
    if (m.name === 'connection.close') {
      // In any state: a client may give up during the handshake too.
      this.closeReason ??= { by: 'client', replyCode: m.args.replyCode, replyText: m.args.replyText };
      this.send(0, writeConnectionCloseOk, {});
      return this.shutdown();
    }
    switch (this.state) {
      case State.AwaitingStartOk:
        if (m.name !== 'connection.start-ok') throw expected('connection.start-ok', m);
        return this.startOk(m.args.clientProperties, m.args.mechanism, m.args.response);
      case State.AwaitingTuneOk:
        if (m.name !== 'connection.tune-ok') throw expected('connection.tune-ok', m);
        return this.tuneOk(m.args.channelMax, m.args.frameMax, m.args.heartbeat);
      case State.AwaitingOpen:
        if (m.name !== 'connection.open') throw expected('connection.open', m);
        return this.open(m.args.virtualHost);
      case State.Open:
        switch (m.name) {
          case 'connection.update-secret':
            // Password logins have no expiring secret; accept and keep the session.
            return this.send(0, writeConnectionUpdateSecretOk, {});
          case 'connection.blocked':
          case 'connection.unblocked':
            return; // only meaningful from server to client
        }
    }
    throw commandInvalid(m.name);
  }

  private startOk(clientProperties: FieldTable, mechanism: string, response: Buffer): void {
    this.clientProperties = clientProperties;
    // Refused in answer to start-ok, where clients show the reply text (amqplib: "Handshake terminated by server").
    if (this.server.refusedReason !== null) return this.close(320, `CONNECTION_FORCED - ${this.server.refusedReason}`, 0, 0);
    const credentials = MECHANISMS.split(' ').includes(mechanism) ? parseCredentials(mechanism, response) : null;
    if (!credentials) {
      return this.refuseLogin(`ACCESS_REFUSED - unsupported mechanism or malformed ${mechanism} response`);
    }
    this.state = State.Authenticating;
    const decide = (ok: boolean) => {
      if (this.state !== State.Authenticating) return;
      if (!ok) return this.refuseLogin(`ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`);
      this.user = credentials.user;
      this.state = State.AwaitingTuneOk;
      this.send(0, writeConnectionTune, { channelMax: this.server.channelMax, frameMax: this.server.frameMax, heartbeat: this.server.heartbeat });
    };
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.server.authenticate(credentials.user, credentials.password, this.peerAddress);
    } catch {
      verdict = false;
    }
    if (typeof verdict === 'boolean') decide(verdict);
    else verdict.then(decide, () => decide(false));
  }

  /** authentication_failure_close: tell a client that understands it, else just close. */
  private refuseLogin(text: string): void {
    if (clientHas(this.clientProperties, 'authentication_failure_close')) this.close(403, text, 0, 0);
    else this.shutdown();
  }

  private tuneOk(channelMax: number, frameMax: number, heartbeat: number): void {
    if (frameMax !== 0 && frameMax < FRAME_MIN_SIZE) {
      throw new BrokerError('NOT_ALLOWED', `frame_max=${frameMax} < ${FRAME_MIN_SIZE} min size`, 'connection');
    }
    // As RabbitMQ: a client may lower the offered limits, never raise them.
    if (frameMax > this.server.frameMax) {
      throw new BrokerError('NOT_ALLOWED', `frame_max=${frameMax} > ${this.server.frameMax} max size`, 'connection');
    }
    if (channelMax > this.server.channelMax) {
      throw new BrokerError('NOT_ALLOWED', `channel_max=${channelMax} > ${this.server.channelMax} max`, 'connection');
    }
    this.frameMax = frameMax === 0 ? this.server.frameMax : frameMax;
    this.channelMax = channelMax === 0 ? this.server.channelMax : channelMax;
    this.parser.frameMax = this.frameMax;
    if (heartbeat > 0) {
      this.heartbeat = new Heartbeat(heartbeat, {
        sendHeartbeat: () => {
          this.writer.frames.heartbeat();
          this.writer.flush();
        },
        paused: () => this.blocked,
        silent: () => this.socket.destroy(),
      });
    }
    this.state = State.AwaitingOpen;
  }

  private open(vhost: string): void {
    if (!this.broker.hasVhost(vhost)) throw new BrokerError('NOT_ALLOWED', `vhost ${vhost} not found`, 'connection');
    this.broker.access?.checkVhost(this.user, vhost);
    this.vhost = vhost;
    this.engine = this.broker.openConnection({
      vhost,
      user: this.user,
      clientProperties: this.clientProperties,
      peerAddress: this.peerAddress,
      peerPort: this.socket.remotePort,
      protocol: 'AMQP 0-9-1',
      onCloseRequested: (reason) => this.close(320, `CONNECTION_FORCED - ${reason}`, 0, 0),
      traffic: () => ({ received: this.socket.bytesRead, sent: this.socket.bytesWritten }),
    });
    clearTimeout(this.timer);
    this.state = State.Open;
    this.send(0, writeConnectionOpenOk, {});
    this.server.logger.info({ event: 'connection.opened', ...this.logFields() }, `connection opened: user '${this.user}' from ${this.peerAddress}`);
  }

  private closingMethod(m: AmqpMethod): void {
    if (m.name === 'connection.close') {
      this.send(0, writeConnectionCloseOk, {});
      this.shutdown();
    } else if (m.name === 'connection.close-ok') {
      this.shutdown();
    }
  }

  // ---- channels ---------------------------------------------------------------

  private channelMethod(number: number, m: AmqpMethod): void {
    if (this.state !== State.Open) throw expected('connection.open', m);
    const ch = this.channels.get(number);
    if (ch) return ch.handleMethod(m);
    if (m.name !== 'channel.open') throw new BrokerError('CHANNEL_ERROR', `expected 'channel.open' on channel ${number}`, 'connection');
    if (number > this.channelMax) {
      throw new BrokerError('NOT_ALLOWED', `channel ${number} above the negotiated channel_max ${this.channelMax}`, 'connection');
    }
    const opened = new AmqpChannel(this, number, this.engine!.openChannel(number));
    this.channels.set(number, opened);
    this.send(number, writeChannelOpenOk, { channelId: Buffer.alloc(0) });
  }

  /** 403 ACCESS_REFUSED when this connection's user may not do `operation` (broker/access/operation-permissions.ts says what each needs). */
  authorize(operation: GuardedOperation): void {
    const access = this.broker.access;
    if (access === undefined) return;
    access.authorize(this.user, this.vhost, operation, (kind, name) => this.broker.has(this.vhost, kind, name));
  }

  /** 403 ACCESS_REFUSED when a topic permission of this user refuses `routingKey` on a topic exchange (broker/access/topic-access.ts). */
  authorizeTopic(exchange: string, routingKey: string, permission: TopicPermissionKind): void {
    const topics = this.broker.access?.topics;
    if (topics === undefined || !topics.restricts(this.user, this.vhost)) return;
    if (this.broker.exchangeType(this.vhost, exchange) !== 'topic') return;
    topics.check(this.user, this.vhost, exchange, permission, routingKey);
  }

  forgetChannel(number: number): void {
    const ch = this.channels.get(number);
    if (!ch) return;
    this.writer.forget(ch);
    this.channels.delete(number);
  }

  // ---- errors and closing ----------------------------------------------------

  /** An error in a callback from the store or the engine: it closes this channel or connection, never travels back. */
  failFromCallback(err: unknown, channel: number): void {
    try {
      this.fail(err, channel);
    } catch {
      this.socket.destroy();
    }
  }

  /** Channel-scoped errors close the channel; everything else closes the connection. */
  private fail(err: unknown, channel: number): void {
    const ch = this.channels.get(channel);
    const method = channel === 0 ? this.currentMethod : (ch?.currentMethod ?? 0);
    if (err instanceof BrokerError) {
      if (err.scope === 'channel' && ch && !ch.closing) return ch.closeWithError(err.replyCode, err.replyText);
      return this.close(err.replyCode, err.replyText, method >>> 16, method & 0xffff);
    }
    if (err instanceof FieldValueError && ch) {
      // A closing channel drops what it is sent, refused fields included.
      if (!ch.closing) ch.closeWithError(err.replyCode, err.replyText);
      return;
    }
    if (err instanceof CodecError || err instanceof FieldValueError) return this.close(err.replyCode, err.replyText, method >>> 16, method & 0xffff);
    this.server.logger.error({ event: 'connection.internal-error', ...this.logFields(), err }, `internal error on the connection from ${this.peerAddress}`);
    this.close(541, 'INTERNAL_ERROR - unexpected error in the broker', method >>> 16, method & 0xffff);
  }

  /** Sends connection.close and releases the engine side at once; the socket ends on close-ok. */
  close(replyCode: number, replyText: string, classId: number, methodId: number): void {
    if (this.state >= State.Closing) return;
    if (this.state === State.AwaitingHeader) return this.shutdown();
    this.closeReason ??= { by: 'broker', replyCode, replyText };
    this.state = State.Closing;
    this.releaseEngine();
    this.send(0, writeConnectionClose, { replyCode, replyText: fitShortString(replyText), classId, methodId });
    this.writer.flush();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT_MS);
  }

  /** Flushes what is queued and ends the socket. */
  private shutdown(): void {
    if (this.state === State.Closed) return;
    this.state = State.Closed;
    this.parser.stop();
    this.releaseEngine();
    this.writer.flush();
    this.socket.end();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT_MS);
  }

  private onSocketClosed(): void {
    this.state = State.Closed;
    this.parser.stop();
    clearTimeout(this.timer);
    this.heartbeat?.stop();
    this.releaseEngine();
    this.server.forget(this);
  }

  private releaseEngine(): void {
    for (const ch of this.channels.values()) {
      ch.release();
      this.writer.forget(ch);
    }
    this.channels.clear();
    if (this.engine && !this.engine.closed) {
      this.engine.close();
      const reason = this.closeReason ?? { by: 'client', replyCode: 0, replyText: 'socket closed without connection.close' };
      this.server.logger.info(
        { event: 'connection.closed', ...this.logFields(), closedBy: reason.by, replyCode: reason.replyCode, replyText: reason.replyText },
        `connection closed: user '${this.user}' from ${this.peerAddress} (${reason.replyCode === 0 ? reason.replyText : `${reason.replyCode} ${reason.replyText}`})`,
      );
    }
  }

  /** Who this connection is, for its log lines. */
  logFields(): { connection: string | undefined; user: string; vhost: string; peer: string; client: string | undefined } {
    const name = this.clientProperties.connection_name;
    const product = this.clientProperties.product;
    const client = typeof name === 'string' ? name : typeof product === 'string' ? product : undefined;
    return { connection: this.engine?.id, user: this.user, vhost: this.vhost, peer: this.peerAddress, client };
  }

  // ---- output -------------------------------------------------------------------

  send<T>(channel: number, write: (w: Writer, args: T) => void, args: T): void {
    if (this.state === State.Closed) return;
    this.writer.frames.method(channel, write, args);
    this.writer.queued();
  }

  sendContent(channel: number, properties: MessageProperties, body: Buffer): void {
    if (this.state === State.Closed) return;
    this.writer.frames.content(channel, ClassId.BASIC, properties, body, this.frameMax);
    this.writer.queued();
  }

  /**
   * basic.deliver for a consumer. The engine calls this synchronously, from
   * another connection's publish or from its own timers, so a failure here
   * must close this connection only and never travel back into the engine.
   */
  deliver(channel: number, d: Delivery): void {
    if (this.state >= State.Closing) return;
    try {
      this.writer.frames.method(channel, writeBasicDeliver, d);
      this.writer.frames.content(channel, ClassId.BASIC, d.message.properties, d.message.body, this.frameMax);
      this.writer.queued();
    } catch (err) {
      this.fail(err, 0);
    }
  }

  confirmReady(ch: AmqpChannel, seq: number, ack: boolean): void {
    if (!ch.confirms || ch.closing || this.state >= State.Closing) return;
    ch.confirms.resolve(seq, ack);
    if (ack) this.broker.counters.confirmed++;
    this.writer.confirmReady(ch);
  }

  /** The socket filled up or drained: pause or resume deliveries, and reading. */
  private writableChanged(): void {
    for (const ch of this.channels.values()) ch.updateWritable();
    this.resumeSocket();
  }

  // ---- memory alarm: connection.blocked -------------------------------------------------

  /**
   * Called on every basic.publish: a publisher meeting an active alarm is
   * blocked before this message's content is read, so it is not taken (nor
   * confirmed) until the alarm clears.
   */
  notePublish(): void {
    this.publisher = true;
    if (this.server.blockedReason !== null && !this.blocked) this.block(this.server.blockedReason);
  }

  /** The alarm went on or off. Blocking pauses reading; nothing is dropped. */
  alarmChanged(): void {
    const reason = this.server.blockedReason;
    if (reason !== null && this.publisher && !this.blocked) this.block(reason);
    if (reason === null && this.blocked) {
      this.blocked = false;
      if (clientHas(this.clientProperties, 'connection.blocked')) this.send(0, writeConnectionUnblocked, {});
      this.resumeInput();
    }
  }

  /** Blocking holds the input after the frame being handled (frames already read wait too) and pauses the socket. */
  private block(reason: string): void {
    this.blocked = true;
    if (clientHas(this.clientProperties, 'connection.blocked')) this.send(0, writeConnectionBlocked, { reason });
    this.parser.hold();
    this.socket.pause();
  }
}

function expected(name: string, m: AmqpMethod): BrokerError {
  return new BrokerError('COMMAND_INVALID', `expected '${name}', got '${m.name}'`, 'connection');
}
