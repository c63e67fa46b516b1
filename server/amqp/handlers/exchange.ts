import { writeExchangeBindOk, writeExchangeDeclareOk, writeExchangeDeleteOk, writeExchangeUnbindOk, type AmqpMethod } from '../codec/generated/spec';
import { commandInvalid, type AmqpChannel } from '../channel';

/** exchange.declare / delete / bind / unbind, each one facade call, answered once on disk; no reply when nowait. */
export function exchangeMethod(ch: AmqpChannel, m: AmqpMethod): void {
  const broker = ch.conn.broker;
  const vhost = ch.conn.vhost;
  switch (m.name) {
    case 'exchange.declare': {
      const a = m.args;
      const alternate = a.arguments['alternate-exchange'];
      ch.conn.authorize({
        method: 'exchange.declare',
        exchange: a.exchange,
        passive: a.passive,
        alternateExchange: typeof alternate === 'string' ? alternate : undefined,
      });
      const declare = () => {
        broker.declareExchange(vhost, a.exchange, a.type, {
          durable: a.durable,
          autoDelete: a.autoDelete,
          internal: a.internal,
          arguments: a.arguments,
          passive: a.passive,
        });
        if (!a.nowait) ch.sendWhenStored(writeExchangeDeclareOk, {});
      };
      const claims = ch.conn.server.claims;
      if (claims && a.durable && !a.passive && a.exchange !== '' && !broker.has(vhost, 'exchange', a.exchange)) {
        ch.afterClaim(claims.exchange(vhost, a.exchange, { type: a.type, autoDelete: a.autoDelete, internal: a.internal, arguments: a.arguments }), declare);
      } else declare();
      return;
    }
    case 'exchange.delete':
      ch.conn.authorize({ method: 'exchange.delete', exchange: m.args.exchange });
      broker.deleteExchange(vhost, m.args.exchange, { ifUnused: m.args.ifUnused });
      if (!m.args.nowait) ch.sendWhenStored(writeExchangeDeleteOk, {});
      return;
    case 'exchange.bind':
      ch.conn.authorize({ method: 'exchange.bind', destination: m.args.destination, source: m.args.source });
      ch.conn.authorizeTopic(m.args.source, m.args.routingKey, 'read');
      broker.bindExchange(vhost, m.args.destination, m.args.source, m.args.routingKey, m.args.arguments);
      if (!m.args.nowait) ch.sendWhenStored(writeExchangeBindOk, {});
      return;
    case 'exchange.unbind':
      ch.conn.authorize({ method: 'exchange.unbind', destination: m.args.destination, source: m.args.source });
      ch.conn.authorizeTopic(m.args.source, m.args.routingKey, 'read');
      broker.unbindExchange(vhost, m.args.destination, m.args.source, m.args.routingKey, m.args.arguments);
      if (!m.args.nowait) ch.sendWhenStored(writeExchangeUnbindOk, {});
      return;
  }
  throw commandInvalid(m.name);
}
