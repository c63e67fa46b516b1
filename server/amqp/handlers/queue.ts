import { BrokerError } from '../../broker/errors';
import { writeQueueBindOk, writeQueueDeclareOk, writeQueueDeleteOk, writeQueuePurgeOk, writeQueueUnbindOk, type AmqpMethod } from '../codec/generated/spec';
import { commandInvalid, type AmqpChannel } from '../channel';
import { REPLY_TO_QUEUE } from '../direct-reply-to';

/** queue.declare / bind / unbind / purge / delete, each one facade call, answered once on disk; no reply when nowait. */
export function queueMethod(ch: AmqpChannel, m: AmqpMethod): void {
  const broker = ch.conn.broker;
  const vhost = ch.conn.vhost;
  const requester = { connection: ch.conn.engine };
  switch (m.name) {
    case 'queue.declare': {
      const a = m.args;
      if (a.queue === REPLY_TO_QUEUE) {
        // The pseudo-queue always "exists" (RabbitMQ answers a passive declare of it).
        if (!a.nowait) ch.send(writeQueueDeclareOk, { queue: a.queue, messageCount: 0, consumerCount: 0 });
        return;
      }
      // A server-named queue is named first: permissions are checked on the name it will have.
      const serverName = a.queue === '' && !a.passive ? broker.serverQueueName() : undefined;
      const dlx = a.arguments['x-dead-letter-exchange'];
      ch.conn.authorize({
        method: 'queue.declare',
        queue: serverName ?? a.queue,
        passive: a.passive,
        deadLetterExchange: typeof dlx === 'string' ? dlx : undefined,
      });
      const options = { durable: a.durable, exclusive: a.exclusive, autoDelete: a.autoDelete, arguments: a.arguments, passive: a.passive, serverName };
      const declare = () => {
        const result = broker.declareQueue(vhost, a.queue, options, requester);
        ch.lastQueue = result.name;
        if (a.nowait) return;
        const remote = ch.engine.remoteCounts(result.name);
        if (remote === null)
          return ch.sendWhenStored(writeQueueDeclareOk, { queue: result.name, messageCount: result.messageCount, consumerCount: result.consumerCount });
        // Cluster mode, a queue another node serves: its counts are the owner's (this node's when it cannot be reached).
        ch.conn.holdInputUntil((resume) =>
          remote((counts) => {
            const { messageCount, consumerCount } = counts ?? result;
            if (!ch.closing) ch.send(writeQueueDeclareOk, { queue: result.name, messageCount, consumerCount });
            resume();
          }),
        );
      };
      const claims = ch.conn.server.claims;
      // Server-named queues are unique already; exclusive ones stay on their connection's node.
      if (claims && a.durable && !a.passive && !a.exclusive && a.queue !== '' && !broker.has(vhost, 'queue', a.queue)) {
        ch.afterClaim(claims.queue(vhost, a.queue, { autoDelete: a.autoDelete, arguments: a.arguments }), declare);
      } else declare();
      return;
    }
    case 'queue.bind':
      ch.conn.authorize({ method: 'queue.bind', queue: queueName(ch, m.args.queue), exchange: m.args.exchange });
      ch.conn.authorizeTopic(m.args.exchange, m.args.routingKey, 'read');
      broker.bindQueue(vhost, queueName(ch, m.args.queue), m.args.exchange, m.args.routingKey, m.args.arguments, requester);
      if (!m.args.nowait) ch.sendWhenStored(writeQueueBindOk, {});
      return;
    case 'queue.unbind':
      ch.conn.authorize({ method: 'queue.unbind', queue: queueName(ch, m.args.queue), exchange: m.args.exchange });
      ch.conn.authorizeTopic(m.args.exchange, m.args.routingKey, 'read');
      broker.unbindQueue(vhost, queueName(ch, m.args.queue), m.args.exchange, m.args.routingKey, m.args.arguments, requester);
      ch.sendWhenStored(writeQueueUnbindOk, {});
      return;
    case 'queue.purge': {
      const queue = queueName(ch, m.args.queue);
      ch.conn.authorize({ method: 'queue.purge', queue });
      const onOwner = broker.purgeOnOwner(vhost, queue, requester);
      if (onOwner !== null) return answerFromOwner(ch, onOwner, (messageCount) => !m.args.nowait && ch.send(writeQueuePurgeOk, { messageCount }));
      const messageCount = broker.purgeQueue(vhost, queue, requester);
      if (!m.args.nowait) ch.sendWhenStored(writeQueuePurgeOk, { messageCount });
      return;
    }
    case 'queue.delete': {
      const queue = queueName(ch, m.args.queue);
      ch.conn.authorize({ method: 'queue.delete', queue });
      const options = { ifUnused: m.args.ifUnused, ifEmpty: m.args.ifEmpty };
      const onOwner = broker.deleteOnOwner(vhost, queue, options, requester);
      if (onOwner !== null) return answerFromOwner(ch, onOwner, (messageCount) => !m.args.nowait && ch.sendWhenStored(writeQueueDeleteOk, { messageCount }));
      const messageCount = broker.deleteQueue(vhost, queue, options, requester);
      if (!m.args.nowait) ch.sendWhenStored(writeQueueDeleteOk, { messageCount });
      return;
    }
  }
  throw commandInvalid(m.name);
}

/**
 * Cluster mode, a queue another node serves: the input waits for the owner's
 * answer (so replies keep their order), then `reply` sends it; the owner's
 * refusal (406 for ifUnused/ifEmpty, 405 when it cannot be reached) closes the channel.
 */
function answerFromOwner(ch: AmqpChannel, answer: Promise<number>, reply: (messageCount: number) => void): void {
  ch.conn.holdInputUntil((resume) =>
    answer
      .then(
        (messageCount) => {
          if (!ch.closing) reply(messageCount);
        },
        (error: unknown) => ch.conn.failFromCallback(error, ch.number),
      )
      .finally(resume),
  );
}

/** An empty queue name means the queue last declared on the channel (spec 1.7.2.1). */
export function queueName(ch: AmqpChannel, name: string): string {
  if (name !== '') return name;
  if (ch.lastQueue === '') throw new BrokerError('NOT_FOUND', 'no previously declared queue');
  return ch.lastQueue;
}
