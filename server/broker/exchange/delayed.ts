// x-delayed-message, the contract of RabbitMQ's delayed-message exchange
// plugin, so that its clients work unchanged: declared with the argument
// `x-delayed-type` naming the type that routes (direct, fanout, topic,
// headers). A message published with an `x-delay` header (ms, above 0) is
// held until then and routed when due (schedule/scheduled-messages.ts);
// without one it is routed at once. This class only routes: it hands its
// bindings to an exchange of the real type and asks it.

import type { Binding, Destination } from '../binding';
import { BrokerError } from '../errors';
import { textOf } from '../field-values';
import type { FieldTable } from '../types';
import { Exchange, type ExchangeSettings, type MatchExplanation } from './exchange';

export const DELAYED_TYPE = 'x-delayed-message';

export class DelayedExchange extends Exchange {
  readonly type = DELAYED_TYPE;

  constructor(
    vhost: string,
    name: string,
    settings: ExchangeSettings,
    /** Routes for it: an exchange of the x-delayed-type, never registered in the vhost. */
    readonly routing: Exchange,
  ) {
    super(vhost, name, settings);
  }

  route(routingKey: string, headers: FieldTable | undefined): readonly Destination[] {
    return this.routing.route(routingKey, headers);
  }

  explain(binding: Binding, routingKey: string, headers: FieldTable | undefined): MatchExplanation {
    return this.routing.explain(binding, routingKey, headers);
  }

  protected bound(binding: Binding): void {
    this.routing.addBinding(binding);
  }

  protected unbound(binding: Binding): void {
    this.routing.removeBinding(binding.key);
  }
}

/** The routing type an x-delayed-message declaration names; 406 with the plugin's words when it is missing or unknown. */
export function delayedRoutingType(args: FieldTable, known: (type: string) => boolean): string {
  const type = textOf(args['x-delayed-type']);
  if (type === null || type === DELAYED_TYPE || !known(type)) {
    throw new BrokerError('PRECONDITION_FAILED', "Invalid argument, 'x-delayed-type' must be an existing exchange type");
  }
  return type;
}
