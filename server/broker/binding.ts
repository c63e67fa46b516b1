// A binding: messages reaching `source` that match `routingKey`/`arguments`
// go on to `destination` (a queue, or an exchange for exchange-to-exchange
// bindings). Identity is (source, destination, routing key, arguments).

import type { Exchange } from './exchange/exchange';
import { stableStringify } from './field-values';
import type { Queue } from './queue/queue';
import type { BindingInfo, FieldTable } from './types';

export type Destination = Queue | Exchange;

export class Binding {
  /** Identity within the source exchange. */
  readonly key: string;

  constructor(
    readonly source: Exchange,
    readonly destination: Destination,
    readonly routingKey: string,
    readonly args: FieldTable,
  ) {
    this.key = bindingKey(destination, routingKey, args);
  }

  info(): BindingInfo {
    return {
      vhost: this.source.vhost,
      source: this.source.name,
      destination: this.destination.name,
      destinationType: this.destination.kind,
      routingKey: this.routingKey,
      arguments: this.args,
    };
  }
}

export function bindingKey(destination: Destination, routingKey: string, args: FieldTable): string {
  return `${destination.kind}\u0000${destination.name}\u0000${routingKey}\u0000${stableStringify(args)}`;
}
