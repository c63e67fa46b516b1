import type { Channel } from '../broker/channel';
import { BrokerError } from '../broker/errors';
import { CodecError } from './codec/errors';
import {
  BASIC_PUBLISH,
  ClassId,
  readBasicProperties,
  writeAccessRequestOk,
  writeChannelClose,
  writeChannelCloseOk,
  writeChannelFlowOk,
  type AmqpMethod,
  type BasicProperties,
  type BasicPublish,
} from './codec/generated/spec';
import { fitShortString, type Writer } from './codec/writer';
import type { ConfirmTracker } from './confirms';
import type { DeclareClaim } from './declare-claims';
import type { AmqpConnection } from './connection';
import { basicMethod, publishContent } from './handlers/basic';
import { confirmMethod } from './handlers/confirm';
import { exchangeMethod } from './handlers/exchange';
import { queueMethod } from './handlers/queue';
import { txMethod, type CommitWait } from './handlers/tx';

/**
 * One AMQP channel of a connection: method dispatch to the per-class
 * handlers, assembly of published content, and the channel's modes.
 *
 * States:
 *   Open     methods are dispatched; a basic.publish moves content assembly
 *            from Idle to AwaitingHeader, the header to AwaitingBody (unless
 *            the body is empty), the last body frame back to Idle
 *   Closing  the server sent channel.close after an error: everything but
 *            channel.close / channel.close-ok is dropped (spec 2.3.5.2)
 * The connection forgets the channel after close-ok in either direction.
 *
 * Ordering contract: every method runs synchronously on the connection's
 * read path, so the engine's replies and deliveries keep the wire order; a
 * reply that waits for the disk holds the connection's input until it is
 * sent (sendWhenStored, tx.commit).
 */

/** Largest message body accepted (RabbitMQ's default max_message_size). */
const MAX_BODY_SIZE = 128 * 1024 * 1024;

const enum Content {
  Idle,
  AwaitingHeader,
  AwaitingBody,
}

export class AmqpChannel {
  closing = false;
  /** Set by confirm.select. */
  confirms: ConfirmTracker | undefined;
  /** Set by tx.select: work held until tx.commit. */
  txActions: (() => void)[] | undefined;
  /** While tx.commit applies the held work: what its commit-ok waits for. */
  txCommit: CommitWait | undefined;
  /** Name of the queue last declared on this channel (an empty queue name means it). */
  lastQueue = '';
  /** Direct reply-to consumer of this channel: its address and consumer tag. */
  replyTo: { address: string; consumerTag: string } | undefined;
  /** Paused by channel.flow(active=false). */
  flowActive = true;
  /** Method being handled, as class << 16 | method, for close reasons. */
  currentMethod = 0;
  /** The store's `recorded` when the current method began (sendWhenStored). */
  private recordedBefore: number | undefined;

  private content = Content.Idle;
  private publishArgs: BasicPublish | undefined;
  private properties: BasicProperties = {};
  private bodySize = 0;
  private bodyParts: Buffer[] = [];
  private bodyReceived = 0;

  constructor(
    readonly conn: AmqpConnection,
    readonly number: number,
    readonly engine: Channel,
  ) {}

  send<T>(write: (w: Writer, args: T) => void, args: T): void {
    this.conn.send(this.number, write, args);
  }

  /**
   * Sends a reply once the store has on disk everything recorded so far (a
   * durable declaration, a deletion, a purge), as RabbitMQ answers them;
   * the connection's input waits meanwhile, so replies keep their order.
   */
  sendWhenStored<T>(write: (w: Writer, args: T) => void, args: T): void {
    const store = this.conn.broker.store;
    // Nothing recorded by this method (a passive or transient declare, a
    // purge of transient messages): no disk to wait for, and no earlier reply
    // can be pending, since input is held while one is.
    if (store.recorded === this.recordedBefore) return this.send(write, args);
    this.conn.holdInputUntil((resume) =>
      store.flush((error) => {
        try {
          if (error) throw new BrokerError('INTERNAL_ERROR', `the broker could not store this change: ${error.message}`, 'connection');
          if (!this.closing) this.send(write, args);
        } catch (err) {
          this.conn.failFromCallback(err, this.number);
        }
        resume();
      }),
    );
  }

  /**
   * Cluster mode: runs `declare` once the shared database has decided on a
   * new durable queue or exchange (DeclareClaims), the connection's input held
   * meanwhile so that later frames keep their order. A declare that fails
   * releases the claim, so that no other node learns of a queue this one
   * refused.
   */
  afterClaim(claim: Promise<DeclareClaim>, declare: () => void): void {
    this.conn.holdInputUntil((resume) => {
      claim.then(
        (claimed) => {
          try {
            declare();
          } catch (error) {
            void claimed.release();
            this.conn.failFromCallback(error, this.number);
          }
          resume();
        },
        (error: unknown) => {
          const why = error instanceof Error ? error.message : String(error);
          this.conn.failFromCallback(
            new BrokerError('INTERNAL_ERROR', `the cluster's PostgreSQL database could not record this declaration: ${why}`, 'connection'),
            this.number,
          );
          resume();
        },
      );
    });
  }

  handleMethod(m: AmqpMethod): void {
    if (this.closing) {
      if (m.name === 'channel.close') this.send(writeChannelCloseOk, {});
      if (m.name === 'channel.close' || m.name === 'channel.close-ok') this.conn.forgetChannel(this.number);
      return;
    }
    if (this.content !== Content.Idle) {
      throw new CodecError(505, `UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead`);
    }
    this.currentMethod = m.id;
    switch (m.id >>> 16) {
      case ClassId.CHANNEL:
        return this.channelMethod(m);
      case ClassId.EXCHANGE:
        this.recordedBefore = this.conn.broker.store.recorded;
        return exchangeMethod(this, m);
      case ClassId.QUEUE:
        this.recordedBefore = this.conn.broker.store.recorded;
        return queueMethod(this, m);
      case ClassId.BASIC:
        return basicMethod(this, m);
      case ClassId.CONFIRM:
        return confirmMethod(this, m);
      case ClassId.TX:
        return txMethod(this, m);
      case ClassId.ACCESS:
        if (m.name === 'access.request') return this.send(writeAccessRequestOk, { ticket: 1 });
    }
    throw commandInvalid(m.name);
  }

  private channelMethod(m: AmqpMethod): void {
    switch (m.name) {
      case 'channel.open':
        throw new BrokerError('CHANNEL_ERROR', `second 'channel.open' seen`, 'connection');
      case 'channel.flow':
        // flow-ok first: resuming may deliver at once, and those deliveries follow it.
        this.send(writeChannelFlowOk, { active: m.args.active });
        this.flowActive = m.args.active;
        return this.updateWritable();
      case 'channel.close':
        this.release();
        this.send(writeChannelCloseOk, {});
        return this.conn.forgetChannel(this.number);
      case 'channel.close-ok':
        return; // answer to a close we did not send: nothing to do
    }
    throw commandInvalid(m.name);
  }

  /** basic.publish seen: its content header and body frames follow. */
  expectContent(args: BasicPublish): void {
    this.publishArgs = args;
    this.content = Content.AwaitingHeader;
  }

  contentHeader(payload: Buffer): void {
    if (this.closing) return;
    if (this.content !== Content.AwaitingHeader) throw new CodecError(505, 'UNEXPECTED_FRAME - content header without a publish');
    this.currentMethod = BASIC_PUBLISH;
    const r = this.conn.reader.reset(payload, 0, payload.length);
    const classId = r.short();
    if (classId !== ClassId.BASIC) throw new CodecError(505, `UNEXPECTED_FRAME - content header for class ${classId}`);
    r.short(); // weight
    this.bodySize = r.longlong();
    this.properties = readBasicProperties(r);
    if (this.bodySize > MAX_BODY_SIZE) {
      this.content = Content.Idle;
      throw new BrokerError('PRECONDITION_FAILED', `message size ${this.bodySize} is larger than configured max size ${MAX_BODY_SIZE}`);
    }
    this.bodyParts = [];
    this.bodyReceived = 0;
    if (this.bodySize === 0) this.completeContent(Buffer.alloc(0));
    else this.content = Content.AwaitingBody;
  }

  contentBody(payload: Buffer): void {
    if (this.closing) return;
    if (this.content !== Content.AwaitingBody) throw new CodecError(505, 'UNEXPECTED_FRAME - content body without a content header');
    this.bodyReceived += payload.length;
    if (this.bodyReceived > this.bodySize) throw new CodecError(501, `FRAME_ERROR - content body larger than the ${this.bodySize} bytes announced`);
    if (this.bodyReceived === this.bodySize && this.bodyParts.length === 0) {
      // One frame holds the whole body: keep the view, no copy.
      return this.completeContent(payload);
    }
    this.bodyParts.push(Buffer.from(payload)); // the view would not survive the socket chunk
    if (this.bodyReceived === this.bodySize) this.completeContent(Buffer.concat(this.bodyParts, this.bodySize));
  }

  private completeContent(body: Buffer): void {
    this.content = Content.Idle;
    this.bodyParts = [];
    const args = this.publishArgs!;
    this.publishArgs = undefined;
    publishContent(this, args, this.properties, body);
  }

  /** The engine delivers only while the socket takes data and channel.flow allows it. */
  updateWritable(): void {
    if (!this.closing) this.engine.setWritable(this.flowActive && !this.conn.socketFull);
  }

  /** A channel-scoped error: release the engine channel and send channel.close (spec: 404, 403, 405, 406). */
  closeWithError(replyCode: number, replyText: string): void {
    this.conn.server.logger.warn(
      { event: 'channel.error', ...this.conn.logFields(), channel: this.number, replyCode, replyText },
      `channel ${this.number} closed with ${replyCode}: ${replyText}`,
    );
    this.closing = true;
    this.content = Content.Idle;
    this.release();
    this.send(writeChannelClose, {
      replyCode,
      replyText: fitShortString(replyText),
      classId: this.currentMethod >>> 16,
      methodId: this.currentMethod & 0xffff,
    });
  }

  /** Engine side of closing: cancel consumers, requeue unacked, drop the reply-to address. */
  release(): void {
    if (this.replyTo) this.conn.server.directReplyTo.unregister(this.replyTo.address);
    this.replyTo = undefined;
    if (!this.engine.closed) this.engine.close();
  }
}

export function commandInvalid(method: string): BrokerError {
  return new BrokerError('COMMAND_INVALID', `unexpected method ${method}`, 'connection');
}
