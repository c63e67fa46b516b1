/**
 * The dry run of an import's topology: a scratch broker (in memory, never
 * seen by a client) is given a copy of the vhosts the file touches, then
 * every vhost, policy, exchange, queue and binding of the plan, in the order
 * the import makes them. Whatever the engine refuses there (a bad pattern,
 * a bad argument, a redeclare that conflicts with an existing queue) turns
 * that entry's line into an error in the engine's own words, before anything
 * real has changed. Existing queues and exchanges are declared again with the
 * file's settings, as an AMQP client's redeclare would be.
 */
import { Broker, type Requester } from '../broker/broker';
import type { Change } from './changes';
import { CHANGE_ORDER } from './changes';
import type { PlanItem } from './plan';

/** Declarations between two yields to the event loop, so that a large file does not hold up AMQP. */
const SLICE = 500;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function rehearse(real: Broker, items: PlanItem[]): Promise<void> {
  const scratch = new Broker({ onFault: () => {} });
  try {
    const steps = items
      .filter((i) => i.change !== undefined && i.line.outcome !== 'error' && isTopology(i.change))
      .sort((a, b) => CHANGE_ORDER.indexOf(a.change!.type) - CHANGE_ORDER.indexOf(b.change!.type));
    const vhosts = new Set(steps.map((i) => vhostOf(i.change!)));
    for (const vhost of vhosts) if (real.hasVhost(vhost)) await copyVhost(real, scratch, vhost);
    const failed = new Map<string, PlanItem>();
    let done = 0;
    for (const item of steps) {
      const change = item.change!;
      try {
        perform(scratch, change);
      } catch (error) {
        const message = withoutRepeatedName(error instanceof Error ? error.message : String(error), item.line.object);
        const dependency =
          change.type === 'binding'
            ? [failed.get(`exchange ${change.vhost} ${change.source}`), failed.get(`${change.destinationType} ${change.vhost} ${change.destination}`)].find(
                Boolean,
              )
            : undefined;
        item.line = {
          ...item.line,
          outcome: 'error',
          detail: dependency ? `not made: ${dependency.line.object} has an error` : `${message}${fix(item, real)}`,
        };
        item.apply = false;
        if (change.type === 'queue' || change.type === 'exchange') failed.set(`${change.type} ${change.vhost} ${change.name}`, item);
      }
      if (++done % SLICE === 0) await yieldToEventLoop();
    }
  } finally {
    scratch.close();
  }
}

type TopologyChange = Extract<Change, { type: 'vhost' | 'policy' | 'exchange' | 'queue' | 'binding' }>;

function isTopology(change: Change): change is TopologyChange {
  return ['vhost', 'policy', 'exchange', 'queue', 'binding'].includes(change.type);
}

function vhostOf(change: Change): string {
  return change.type === 'vhost' ? change.name : (change as { vhost: string }).vhost;
}

/** "PRECONDITION_FAILED - policy 'p' in vhost '/': pattern …" → "pattern …" on the line that names the policy already. */
function withoutRepeatedName(message: string, object: string): string {
  const reply = /^[A-Z_]+ - (.*)$/s.exec(message);
  return reply !== null && reply[1]!.startsWith(`${object}: `) ? reply[1]!.slice(object.length + 2) : message;
}

/** What to do about a refusal: the engine's text says what is wrong. */
function fix(item: PlanItem, real: Broker): string {
  const change = item.change!;
  if ((change.type === 'queue' || change.type === 'exchange') && real.has(change.vhost, change.type, change.name)) {
    return change.type === 'queue'
      ? ` — the queue exists in Warren with other settings: delete it first (its messages go with it), or make the file's match`
      : ` — the exchange exists in Warren with other settings: delete it first, or make the file's match`;
  }
  return ' — correct it in the file';
}

export function perform(broker: Broker, change: Change, requester: Requester = {}): void {
  switch (change.type) {
    case 'vhost':
      broker.createVhost(change.name);
      return;
    case 'policy':
      broker.setPolicy(change.vhost, change.policy);
      return;
    case 'exchange':
      broker.declareExchange(change.vhost, change.name, change.exchangeType, {
        durable: change.durable,
        autoDelete: change.autoDelete,
        internal: change.internal,
        arguments: change.arguments,
      });
      return;
    case 'queue':
      broker.declareQueue(change.vhost, change.name, { durable: change.durable, autoDelete: change.autoDelete, arguments: change.arguments }, requester);
      return;
    case 'binding':
      if (change.destinationType === 'queue') broker.bindQueue(change.vhost, change.destination, change.source, change.routingKey, change.arguments, requester);
      else broker.bindExchange(change.vhost, change.destination, change.source, change.routingKey, change.arguments);
      return;
    default:
      throw new Error(`${change.type} is not a topology change`);
  }
}

/** The vhost's policies, exchanges, queues (exclusive ones owned by a scratch connection) and bindings, as they are now. */
async function copyVhost(real: Broker, scratch: Broker, vhost: string): Promise<void> {
  scratch.createVhost(vhost);
  // Copied leniently: something the engine would refuse today was accepted when it was made, and stays.
  const attempt = (work: () => void) => {
    try {
      work();
    } catch {
      // a file entry that meets it is judged against the engine's rules all the same
    }
  };
  let owner: Requester | undefined;
  const exclusiveOwner = () => (owner ??= { connection: scratch.openConnection({ vhost, user: '', clientProperties: {}, peerAddress: 'rehearsal' }) });
  for (const { name, pattern, applyTo, priority, definition } of real.listPolicies(vhost))
    attempt(() => scratch.setPolicy(vhost, { name, pattern, applyTo, priority, definition }));
  let copied = 0;
  for (const e of real.listExchanges(vhost)) {
    if (e.name === '' || e.name.startsWith('amq.')) continue;
    attempt(() =>
      scratch.declareExchange(vhost, e.name, e.type, {
        durable: e.durable,
        autoDelete: e.autoDelete,
        internal: e.internal,
        arguments: e.arguments,
        fromStore: true,
      }),
    );
    if (++copied % SLICE === 0) await yieldToEventLoop();
  }
  for (const q of real.listQueues(vhost)) {
    const options = { durable: q.durable, exclusive: q.exclusive, autoDelete: q.autoDelete, arguments: q.arguments, fromStore: true };
    attempt(() => scratch.declareQueue(vhost, q.name, options, q.exclusive ? exclusiveOwner() : {}));
    if (++copied % SLICE === 0) await yieldToEventLoop();
  }
  for (const b of real.listBindings(vhost)) {
    if (b.source === '') continue;
    const requester = b.destinationType === 'queue' && real.getQueue(vhost, b.destination).exclusive ? exclusiveOwner() : {};
    attempt(() => perform(scratch, { type: 'binding', ...b }, requester));
    if (++copied % SLICE === 0) await yieldToEventLoop();
  }
}
