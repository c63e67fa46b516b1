// Makes an exchange of a declared type; unknown types are refused as RabbitMQ does.

import { BrokerError } from '../errors';
import { DelayedExchange, DELAYED_TYPE, delayedRoutingType } from './delayed';
import { DirectExchange } from './direct';
import type { Exchange, ExchangeSettings } from './exchange';
import { FanoutExchange } from './fanout';
import { HeadersExchange } from './headers';
import { TopicExchange } from './topic';

const TYPES = {
  direct: DirectExchange,
  fanout: FanoutExchange,
  topic: TopicExchange,
  headers: HeadersExchange,
} as const;

function isExchangeType(type: string): type is keyof typeof TYPES {
  return Object.hasOwn(TYPES, type);
}

export function createExchange(vhost: string, name: string, type: string, settings: ExchangeSettings): Exchange {
  if (type === DELAYED_TYPE) {
    const routingType = delayedRoutingType(settings.arguments, isExchangeType) as keyof typeof TYPES;
    return new DelayedExchange(vhost, name, settings, new TYPES[routingType](vhost, name, settings));
  }
  if (!isExchangeType(type)) {
    throw new BrokerError('PRECONDITION_FAILED', `unknown exchange type '${type}'`);
  }
  return new TYPES[type](vhost, name, settings);
}
