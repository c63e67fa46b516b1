// Which permission each AMQP operation needs, on which resource: the one table
// of it, following RabbitMQ's rabbit_channel. Passive declares need none; the
// default exchange's own refusals ("operation not permitted on the default
// exchange", reserved amq.* exchanges) come from the engine, so those names
// are not checked here.

export type PermissionKind = 'configure' | 'write' | 'read';
export type ResourceKind = 'queue' | 'exchange';

export type GuardedOperation =
  | { method: 'queue.declare'; queue: string; passive: boolean; deadLetterExchange?: string }
  | { method: 'queue.delete' | 'queue.purge' | 'basic.consume' | 'basic.get'; queue: string }
  | { method: 'queue.bind' | 'queue.unbind'; queue: string; exchange: string }
  | { method: 'exchange.declare'; exchange: string; passive: boolean; alternateExchange?: string }
  | { method: 'exchange.delete'; exchange: string }
  | { method: 'exchange.bind' | 'exchange.unbind'; destination: string; source: string }
  | { method: 'basic.publish'; exchange: string };

export type Check = readonly [PermissionKind, ResourceKind, string];

const NONE: readonly Check[] = [];

export function checksFor(op: GuardedOperation, exists: (kind: ResourceKind, name: string) => boolean): readonly Check[] {
  switch (op.method) {
    case 'queue.declare': {
      if (op.passive) return NONE;
      const checks: Check[] = [['configure', 'queue', op.queue]];
      // A new queue that dead-letters reads from itself and writes to its dead-letter exchange.
      if (op.deadLetterExchange !== undefined && !exists('queue', op.queue)) {
        checks.push(['read', 'queue', op.queue], ['write', 'exchange', op.deadLetterExchange]);
      }
      return checks;
    }
    case 'queue.delete':
      return [['configure', 'queue', op.queue]];
    case 'queue.purge':
    case 'basic.consume':
    case 'basic.get':
      return [['read', 'queue', op.queue]];
    case 'queue.bind':
    case 'queue.unbind':
      return op.exchange === ''
        ? [['write', 'queue', op.queue]]
        : [
            ['write', 'queue', op.queue],
            ['read', 'exchange', op.exchange],
          ];
    case 'exchange.declare': {
      if (op.passive || op.exchange === '') return NONE;
      const checks: Check[] = [['configure', 'exchange', op.exchange]];
      // A new exchange with an alternate exchange reads from itself and writes to the alternate.
      if (op.alternateExchange !== undefined && !exists('exchange', op.exchange)) {
        checks.push(['read', 'exchange', op.exchange], ['write', 'exchange', op.alternateExchange]);
      }
      return checks;
    }
    case 'exchange.delete':
      return op.exchange === '' || op.exchange.startsWith('amq.') ? NONE : [['configure', 'exchange', op.exchange]];
    case 'exchange.bind':
    case 'exchange.unbind':
      if (op.destination === '' || op.source === '') return NONE;
      return [
        ['write', 'exchange', op.destination],
        ['read', 'exchange', op.source],
      ];
    case 'basic.publish':
      return [['write', 'exchange', op.exchange]];
  }
}
