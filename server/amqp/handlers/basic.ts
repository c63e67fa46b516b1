import { randomBytes } from 'node:crypto';
import { BrokerError } from '../../broker/errors';
import type { Delivery } from '../../broker/types';
import {
  writeBasicCancel,
  writeBasicCancelOk,
  writeBasicConsumeOk,
  writeBasicGetEmpty,
  writeBasicGetOk,
  writeBasicQosOk,
  writeBasicRecoverOk,
  writeBasicReturn,
  type AmqpMethod,
  type BasicConsume,
  type BasicProperties,
  type BasicPublish,
} from '../codec/generated/spec';
import { commandInvalid, type AmqpChannel } from '../channel';
import { REPLY_TO_PREFIX, REPLY_TO_QUEUE } from '../direct-reply-to';
import { clientHas } from '../handshake';
import { queueName } from './queue';
import { inTransaction } from './tx';

/** basic.get-ok with the message, or basic.get-empty. */
function sendGot(ch: AmqpChannel, d: Delivery | null): void {
  if (!d) return ch.send(writeBasicGetEmpty, {});
  ch.send(writeBasicGetOk, {
    deliveryTag: d.deliveryTag,
    redelivered: d.redelivered,
    exchange: d.exchange,
    routingKey: d.routingKey,
    messageCount: d.messageCount,
  });
  ch.conn.sendContent(ch.number, d.message.properties, d.message.body);
}

/** The basic class: consumers, gets, acknowledgements; publishing continues in publishContent. */
export function basicMethod(ch: AmqpChannel, m: AmqpMethod): void {
  const engine = ch.engine;
  switch (m.name) {
    case 'basic.publish':
      if (m.args.immediate) throw new BrokerError('NOT_IMPLEMENTED', 'immediate=true', 'connection');
      ch.conn.notePublish();
      return ch.expectContent(m.args);
    case 'basic.qos':
      if (m.args.prefetchSize !== 0) throw new BrokerError('NOT_IMPLEMENTED', `prefetch_size!=0 (${m.args.prefetchSize})`, 'connection');
      engine.qos(m.args.prefetchCount, m.args.global);
      return ch.send(writeBasicQosOk, {});
    case 'basic.consume':
      return consume(ch, m.args);
    case 'basic.cancel':
      if (ch.replyTo?.consumerTag === m.args.consumerTag) {
        ch.conn.server.directReplyTo.unregister(ch.replyTo.address);
        ch.replyTo = undefined;
      } else {
        engine.cancel(m.args.consumerTag);
      }
      if (!m.args.nowait) ch.send(writeBasicCancelOk, { consumerTag: m.args.consumerTag });
      return;
    case 'basic.get': {
      const queue = queueName(ch, m.args.queue);
      ch.conn.authorize({ method: 'basic.get', queue });
      const remote = engine.getRemote(queue, m.args.noAck);
      if (remote === null) return sendGot(ch, engine.get(queue, m.args.noAck));
      // Cluster mode, a queue another node serves: the input waits for its answer, so replies keep their order.
      ch.conn.holdInputUntil((resume) =>
        remote((d, error) => {
          try {
            if (error) throw new BrokerError('RESOURCE_LOCKED', error.message);
            if (!ch.closing) sendGot(ch, d);
          } catch (err) {
            ch.conn.failFromCallback(err, ch.number);
          }
          resume();
        }),
      );
      return;
    }
    case 'basic.ack': {
      const { deliveryTag, multiple } = m.args;
      return inTransaction(ch, () => engine.ack(deliveryTag, multiple));
    }
    case 'basic.nack': {
      const { deliveryTag, multiple, requeue } = m.args;
      return inTransaction(ch, () => engine.nack(deliveryTag, multiple, requeue));
    }
    case 'basic.reject': {
      const { deliveryTag, requeue } = m.args;
      return inTransaction(ch, () => engine.reject(deliveryTag, requeue));
    }
    case 'basic.recover-async':
      return engine.recover(m.args.requeue);
    case 'basic.recover':
      engine.recover(m.args.requeue);
      return ch.send(writeBasicRecoverOk, {});
  }
  throw commandInvalid(m.name);
}

function consume(ch: AmqpChannel, a: BasicConsume): void {
  if (a.queue === REPLY_TO_QUEUE) return consumeReplies(ch, a);
  const queue = queueName(ch, a.queue);
  ch.conn.authorize({ method: 'basic.consume', queue });
  // Deliveries made while consume() runs wait until consume-ok is on the wire.
  let early: Delivery[] | null = [];
  const deliver = (d: Delivery) => {
    if (early) early.push(d);
    else ch.conn.deliver(ch.number, d);
  };
  const onCancel = (consumerTag: string) => {
    if (clientHas(ch.conn.clientProperties, 'consumer_cancel_notify')) ch.send(writeBasicCancel, { consumerTag, nowait: true });
  };
  const rawPriority = a.arguments['x-priority'];
  const priority = typeof rawPriority === 'number' || typeof rawPriority === 'bigint' ? Number(rawPriority) : undefined;
  const consumerTag = ch.engine.consume(
    queue,
    { consumerTag: a.consumerTag, noAck: a.noAck, exclusive: a.exclusive, priority, arguments: a.arguments },
    deliver,
    onCancel,
  );
  if (!a.nowait) ch.send(writeBasicConsumeOk, { consumerTag });
  const waiting = early;
  early = null;
  for (const d of waiting) ch.conn.deliver(ch.number, d);
}

function consumeReplies(ch: AmqpChannel, a: BasicConsume): void {
  if (!a.noAck) throw new BrokerError('PRECONDITION_FAILED', 'reply consumer cannot acknowledge');
  if (ch.replyTo) throw new BrokerError('PRECONDITION_FAILED', 'reply consumer already set');
  const consumerTag = a.consumerTag || `amq.ctag-${randomBytes(12).toString('base64url')}`;
  const address = ch.conn.server.directReplyTo.register((routingKey, properties, body) => {
    // Replies bypass queues but take their tag from the channel's sequence, as RabbitMQ's do (the consumer is no-ack).
    ch.conn.deliver(ch.number, {
      consumerTag,
      deliveryTag: ch.engine.takeDeliveryTag(),
      redelivered: false,
      exchange: '',
      routingKey,
      message: { properties, body },
      messageCount: 0,
    });
  });
  ch.replyTo = { address, consumerTag };
  if (!a.nowait) ch.send(writeBasicConsumeOk, { consumerTag });
}

/** A complete basic.publish (method, header, body): route it, then return and confirm as asked. */
export function publishContent(ch: AmqpChannel, a: BasicPublish, properties: BasicProperties, body: Buffer): void {
  // Checked once the message is complete, at publish time even inside a transaction, as RabbitMQ does.
  ch.conn.authorize({ method: 'basic.publish', exchange: a.exchange });
  ch.conn.authorizeTopic(a.exchange, a.routingKey, 'write');
  if (properties.replyTo === REPLY_TO_QUEUE) {
    if (!ch.replyTo) throw new BrokerError('PRECONDITION_FAILED', 'fast reply consumer does not exist');
    properties = { ...properties, replyTo: ch.replyTo.address };
  }
  inTransaction(ch, () => publish(ch, a, properties, body));
}

function publish(ch: AmqpChannel, a: BasicPublish, properties: BasicProperties, body: Buffer): void {
  const confirms = ch.confirms;
  const seq = confirms ? confirms.take() : 0;
  if (confirms) ch.conn.broker.counters.receivedConfirm++;
  // Inside tx.commit (never with confirms): the commit-ok waits for this message's disk write.
  const committed = ch.txCommit?.add();
  let unroutable: boolean;
  let outcome: 'ack' | 'nack' | 'deferred' = 'ack';
  if (a.exchange === '' && a.routingKey.startsWith(REPLY_TO_PREFIX)) {
    unroutable = !ch.conn.server.directReplyTo.deliver(a.routingKey, properties, body);
  } else {
    const result = ch.engine.publish(a.exchange, a.routingKey, properties, body, {
      mandatory: a.mandatory,
      onConfirm: confirms ? (ack) => ch.conn.confirmReady(ch, seq, ack) : committed,
    });
    unroutable = result.unroutable;
    outcome = result.confirm;
  }
  if (unroutable && a.mandatory) {
    ch.send(writeBasicReturn, { replyCode: 312, replyText: 'NO_ROUTE', exchange: a.exchange, routingKey: a.routingKey });
    ch.conn.sendContent(ch.number, properties, body);
  }
  if (confirms && outcome !== 'deferred') ch.conn.confirmReady(ch, seq, outcome === 'ack');
  if (committed && outcome !== 'deferred') committed(outcome === 'ack');
}
