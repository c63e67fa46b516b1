// A virtual host: its exchanges, queues and the bindings between them, with
// the declare/delete/bind rules of RabbitMQ. It is also the QueueHost of its
// queues (dead-lettering, auto-delete, the clock). Every vhost starts with the
// default exchange '' and the predeclared amq.* exchanges.

import { randomBytes } from 'node:crypto';
import { Binding, bindingKey, type Destination } from './binding';
import type { Connection } from './connection';
import { argumentValue, BrokerError, inequivalentArg, notFound, quoted, resourceLocked, resourceName } from './errors';
import { DefaultExchange } from './exchange/default';
import { DelayedExchange } from './exchange/delayed';
import type { Exchange } from './exchange/exchange';
import type { GlobalCounters } from './global-counters';
import { sameFieldValue } from './field-values';
import { createExchange } from './exchange/factory';
import { validateHeadersBinding } from './exchange/headers';
import type { Message } from './message';
import { deadLetteredMessage, isDeathCycle } from './queue/dead-letter';
import { createQueue, queueConfigFor } from './queue/factory';
import { autoDeadLetterQueue, EQUIVALENCE_ARGUMENTS } from './queue/queue-arguments';
import { checkShortString, shortStringProblem, shownName } from './short-string';
import { Policies } from './policy/policies';
import type { PolicyDefinition } from './policy/policy-definition';
import type { HoldingArea } from './retry/holding-area';
import type { JourneyTracing } from './journey/journey-tracing';
import { type DeadLettered, type DeathReason, ENQUEUED_SYNCING, type Queue, type QueueHost, type QueueSettings } from './queue/queue';
import { routeMessage, routeSenderSelected } from './routing/router';
import type { Scheduler } from './scheduler';
import type { Store } from './store';
import type { StreamStorage } from './stream/stream-store';
import type { ExchangeDeclareOptions, FieldTable, QueueDeclareOptions, QueueDeleteOptions } from './types';

/** What a vhost needs from the broker. */
export interface Engine {
  readonly store: Store;
  readonly scheduler: Scheduler;
  now(): number;
  nextMessageId(): number;
  readonly streams: StreamStorage;
  /** Reports a fault the engine contained (see BrokerOptions.onFault). */
  fault(what: string, error: unknown): void;
  countOverDeliveryLimit(): void;
  /** The queue a dead-lettered copy goes into: itself, or the one standing for it when another node serves it (cluster mode). */
  servedQueue(queue: Queue): Queue;
  readonly counters: GlobalCounters;
  readonly journeys: JourneyTracing;
}

const PREDECLARED: [string, string][] = [
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

export class Vhost implements QueueHost {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  readonly holdingAreas = new Map<string, HoldingArea>();
  readonly policies: Policies;
  readonly lookupExchange = (name: string): Exchange | undefined => this.exchanges.get(name);
  /** Journeys of every message published here are traced (journey/journey-tracing.ts). */
  traced = false;
  /** Queues traced on their own (their `traced` is also true while the vhost is). */
  readonly tracedQueues = new Set<string>();
  /** Tracing is on somewhere in this vhost: the one check the publish path makes. */
  journeysOn = false;

  constructor(
    readonly name: string,
    private readonly engine: Engine,
  ) {
    this.policies = new Policies(name);
    this.exchanges.set('', new DefaultExchange(name, this.queues));
    for (const [exchange, type] of PREDECLARED) {
      this.exchanges.set(exchange, createExchange(name, exchange, type, { durable: true, autoDelete: false, internal: false, arguments: {} }));
    }
  }

  get store(): Store {
    return this.engine.store;
  }

  get scheduler(): Scheduler {
    return this.engine.scheduler;
  }

  now(): number {
    return this.engine.now();
  }

  nextMessageId(): number {
    return this.engine.nextMessageId();
  }

  get streams(): StreamStorage {
    return this.engine.streams;
  }

  get journeys(): JourneyTracing {
    return this.engine.journeys;
  }

  fault(what: string, error: unknown): void {
    this.engine.fault(what, error);
  }

  // ---- exchanges -------------------------------------------------------------

  exchange(name: string): Exchange {
    const exchange = this.exchanges.get(name);
    if (!exchange) throw notFound('exchange', name, this.name);
    return exchange;
  }

  declareExchange(name: string, type: string, options: ExchangeDeclareOptions): void {
    if (name === '') throw new BrokerError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    const existing = this.exchanges.get(name);
    if (options.passive) {
      if (!existing) throw notFound('exchange', name, this.name);
      return;
    }
    const settings = {
      durable: options.durable ?? false,
      autoDelete: options.autoDelete ?? false,
      internal: options.internal ?? false,
      arguments: options.arguments ?? {},
    };
    if (existing) {
      const fail = (arg: string, received: unknown, current: unknown) => inequivalentArg('exchange', name, this.name, arg, quoted(received), quoted(current));
      if (existing.type !== type) throw fail('type', type, existing.type);
      if (existing.settings.durable !== settings.durable) throw fail('durable', settings.durable, existing.settings.durable);
      if (existing.settings.autoDelete !== settings.autoDelete) throw fail('auto_delete', settings.autoDelete, existing.settings.autoDelete);
      if (existing.settings.internal !== settings.internal) throw fail('internal', settings.internal, existing.settings.internal);
      const received = settings.arguments['alternate-exchange'];
      const current = existing.settings.arguments['alternate-exchange'];
      if (received !== current) {
        throw inequivalentArg('exchange', name, this.name, 'alternate-exchange', argumentValue(received), argumentValue(current));
      }
      return;
    }
    if (name.startsWith('amq.')) {
      throw new BrokerError('ACCESS_REFUSED', `exchange name '${name}' contains reserved prefix 'amq.*'`);
    }
    if (!options.fromStore) checkShortString(`exchange name '${shownName(name)}'`, name);
    const exchange = createExchange(this.name, name, type, settings);
    exchange.policy = this.policies.match('exchange', name);
    this.exchanges.set(name, exchange);
    if (settings.durable) this.store.exchangeDeclared({ vhost: this.name, name, type: exchange.type, ...settings });
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '') throw new BrokerError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    if (name.startsWith('amq.')) {
      throw new BrokerError('ACCESS_REFUSED', `deletion of system ${resourceName('exchange', name, this.name)} not allowed`);
    }
    const exchange = this.exchanges.get(name);
    if (!exchange) return; // deleting a missing exchange is fine (RabbitMQ's ensure_deleted)
    if (ifUnused && exchange.bindings.size > 0) {
      throw new BrokerError('PRECONDITION_FAILED', `${resourceName('exchange', name, this.name)} in use`);
    }
    this.removeExchange(exchange);
  }

  private removeExchange(exchange: Exchange): void {
    this.exchanges.delete(exchange.name);
    for (const binding of [...exchange.bindings.values()]) this.removeBinding(binding, false);
    for (const binding of [...exchange.incoming]) this.removeBinding(binding, true);
    if (exchange.settings.durable) this.store.exchangeDeleted(this.name, exchange.name);
  }

  // ---- bindings --------------------------------------------------------------

  bind(source: string, destination: Destination, routingKey: string, args: FieldTable): void {
    if (source === '') throw new BrokerError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    checkShortString(`routing key '${shownName(routingKey)}'`, routingKey);
    const exchange = this.exchange(source);
    if (exchange.type === 'headers' || (exchange instanceof DelayedExchange && exchange.routing.type === 'headers')) validateHeadersBinding(args);
    const binding = new Binding(exchange, destination, routingKey, args);
    if (!exchange.addBinding(binding)) return;
    if (destination.kind === 'queue') destination.bindings.add(binding);
    else destination.incoming.add(binding);
    if (this.isDurable(binding)) this.store.bindingAdded(binding.info());
  }

  unbind(source: string, destination: Destination, routingKey: string, args: FieldTable): void {
    if (source === '') throw new BrokerError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    const binding = this.exchange(source).bindings.get(bindingKey(destination, routingKey, args));
    if (binding) this.removeBinding(binding, true);
  }

  /** Removes a binding everywhere; `mayAutoDelete` lets an auto-delete source go with its last binding. */
  private removeBinding(binding: Binding, mayAutoDelete: boolean): void {
    const source = binding.source;
    source.removeBinding(binding.key);
    const destination = binding.destination;
    if (destination.kind === 'queue') destination.bindings.delete(binding);
    else destination.incoming.delete(binding);
    if (this.isDurable(binding)) this.store.bindingRemoved(binding.info());
    if (mayAutoDelete && source.settings.autoDelete && source.bindings.size === 0 && this.exchanges.get(source.name) === source) {
      this.removeExchange(source);
    }
  }

  private isDurable(binding: Binding): boolean {
    const destination = binding.destination;
    return binding.source.settings.durable && destination.settings.durable;
  }

  // ---- queues ----------------------------------------------------------------

  /** The queue, checking exclusive ownership when a connection asks (405). */
  queue(name: string, connection?: Connection): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw notFound('queue', name, this.name);
    if (queue.owner && connection && queue.owner !== connection) throw resourceLocked(name, this.name);
    return queue;
  }

  declareQueue(requestedName: string, options: QueueDeclareOptions, connection?: Connection): Queue {
    if (options.passive) {
      const queue = this.queue(requestedName, connection);
      queue.touch();
      return queue;
    }
    const name = requestedName === '' ? (options.serverName ?? serverNamedQueue()) : requestedName;
    const settings: QueueSettings = {
      durable: options.durable ?? false,
      exclusive: options.exclusive ?? false,
      autoDelete: options.autoDelete ?? false,
      arguments: options.arguments ?? {},
    };
    const existing = this.queues.get(name);
    if (existing) {
      this.checkEquivalent(existing, settings, connection);
      existing.touch();
      this.declareAutoDeadLetterQueue(existing);
      this.engine.counters.queuesDeclared++;
      return existing;
    }
    if (name.startsWith('amq.') && requestedName !== '') {
      throw new BrokerError('ACCESS_REFUSED', `queue name '${name}' contains reserved prefix 'amq.*'`);
    }
    if (settings.exclusive && !connection) {
      throw new BrokerError('PRECONDITION_FAILED', `exclusive ${resourceName('queue', name, this.name)} needs an owning connection`);
    }
    if (!options.fromStore) checkQueueName(name, settings.arguments);
    const queue = this.addQueue(name, settings, connection);
    // Recovery brings queues back: RabbitMQ does not count those as declared or created either.
    if (!options.fromStore) {
      this.engine.counters.queuesDeclared++;
      this.engine.counters.queuesCreated++;
    }
    return queue;
  }

  /** Creates and registers a queue whose name and settings were checked. */
  private addQueue(name: string, settings: QueueSettings, connection?: Connection): Queue {
    const config = queueConfigFor(this.name, name, settings, this.policies.match('queue', name));
    const queue = createQueue(this, this.name, name, settings, config, settings.exclusive ? (connection ?? null) : null);
    this.queues.set(name, queue);
    queue.traced = this.traced;
    if (queue.owner) queue.owner.exclusiveQueues.add(queue);
    if (settings.durable) this.store.queueDeclared({ vhost: this.name, name, type: config.type, ...settings });
    this.declareAutoDeadLetterQueue(queue);
    return queue;
  }

  /**
   * Retry tiers without a dead-letter exchange end in `<queue>.dlq`, declared
   * beside the queue when it is missing: at the queue's declaration, at every
   * redeclaration, and when a message dies after someone deleted it (so the
   * message is kept rather than dropped). Added directly: the name may start
   * with `amq.` (a server-named queue's), which clients may not ask for.
   */
  private declareAutoDeadLetterQueue(queue: Queue): void {
    const name = autoDeadLetterQueue(queue.name);
    const { retryTiers, deadLetterExchange, deadLetterRoutingKey } = queue.config;
    if (queue.deleted || retryTiers === null || deadLetterExchange !== '' || deadLetterRoutingKey !== name) return;
    this.ensureAutoDeadLetterQueue(queue);
  }

  /** `<queue>.dlq`, added when missing; null when that name would be too long for AMQP. */
  private ensureAutoDeadLetterQueue(queue: Queue): string | null {
    const name = autoDeadLetterQueue(queue.name);
    if (!this.queues.has(name)) {
      if (shortStringProblem(name) !== null) return null;
      this.addQueue(name, { durable: queue.settings.durable, exclusive: false, autoDelete: false, arguments: {} });
    }
    return name;
  }

  // ---- policies --------------------------------------------------------------

  /** Adds or replaces a policy (406 when it is invalid) and applies it to what it matches now. */
  setPolicy(policy: PolicyDefinition): void {
    this.policies.set(policy);
    this.applyPolicy(policy.name);
  }

  /** False when no policy has that name. */
  deletePolicy(name: string): boolean {
    if (!this.policies.delete(name)) return false;
    this.applyPolicy(name);
    return true;
  }

  /** Re-resolves the policy of every queue and exchange that had or now gets policy `name`. */
  private applyPolicy(name: string): void {
    for (const queue of this.queues.values()) {
      const policy = this.policies.match('queue', queue.name);
      if (queue.config.policy !== name && policy?.name !== name) continue;
      queue.reconfigure(queueConfigFor(this.name, queue.name, queue.settings, policy));
      this.declareAutoDeadLetterQueue(queue);
    }
    for (const exchange of this.exchanges.values()) {
      if (exchange.name === '') continue;
      const policy = this.policies.match('exchange', exchange.name);
      if (exchange.policy?.name === name || policy?.name === name) exchange.policy = policy;
    }
  }

  private checkEquivalent(queue: Queue, settings: QueueSettings, connection: Connection | undefined): void {
    const current = queue.settings;
    if (queue.owner !== null ? queue.owner !== connection || !settings.exclusive : settings.exclusive) {
      throw resourceLocked(queue.name, this.name);
    }
    const fail = (arg: string, received: string, was: string) => inequivalentArg('queue', queue.name, this.name, arg, received, was);
    if (current.durable !== settings.durable) throw fail('durable', quoted(settings.durable), quoted(current.durable));
    if (current.autoDelete !== settings.autoDelete) throw fail('auto_delete', quoted(settings.autoDelete), quoted(current.autoDelete));
    for (const arg of EQUIVALENCE_ARGUMENTS) {
      const received = settings.arguments[arg];
      const was = current.arguments[arg];
      if (!sameFieldValue(received, was)) throw fail(arg, argumentValue(received), argumentValue(was));
    }
  }

  deleteQueue(name: string, options: QueueDeleteOptions, connection?: Connection): number {
    const queue = this.queues.get(name);
    if (!queue) return 0; // RabbitMQ answers delete-ok with 0 for a missing queue
    this.queue(name, connection);
    if (options.ifUnused && queue.consumerCount > 0) {
      throw new BrokerError('PRECONDITION_FAILED', `${resourceName('queue', name, this.name)} in use`);
    }
    if (options.ifEmpty && queue.messageCount > 0) {
      throw new BrokerError('PRECONDITION_FAILED', `${resourceName('queue', name, this.name)} not empty`);
    }
    return this.removeQueue(queue);
  }

  /** Unregisters, unbinds and tears down a queue; returns its ready message count. */
  removeQueue(queue: Queue): number {
    if (this.queues.get(queue.name) !== queue) return 0;
    this.queues.delete(queue.name);
    if (this.tracedQueues.delete(queue.name)) this.journeysOn = this.traced || this.tracedQueues.size > 0;
    queue.owner?.exclusiveQueues.delete(queue);
    for (const binding of [...queue.bindings]) this.removeBinding(binding, true);
    const count = queue.destroy();
    if (queue.settings.durable) this.store.queueDeleted(this.name, queue.name);
    this.engine.counters.queuesDeleted++;
    this.engine.counters.retireQueue(queue.counters);
    return count;
  }

  // ---- QueueHost -------------------------------------------------------------

  expire(queue: Queue): void {
    this.removeQueue(queue);
  }

  deadLetter(queue: Queue, message: Message, reason: DeathReason): DeadLettered {
    this.declareAutoDeadLetterQueue(queue);
    let exchangeName = queue.config.deadLetterExchange;
    let routingKey = queue.config.deadLetterRoutingKey;
    if (exchangeName === null && reason === 'delivery_limit') {
      // RabbitMQ drops a message past its delivery limit when no dead-letter
      // exchange is set; Warren keeps it in `<queue>.dlq`, as retry tiers end.
      routingKey = this.ensureAutoDeadLetterQueue(queue);
      if (routingKey !== null) exchangeName = '';
    }
    const exchange = exchangeName === null ? undefined : this.exchanges.get(exchangeName);
    if (!exchange) return false; // RabbitMQ drops the message when the DLX does not exist
    if (reason === 'delivery_limit') this.engine.countOverDeliveryLimit();
    const dead = deadLetteredMessage(message, queue.name, reason, this.now(), this.engine.nextMessageId(), exchange.name, routingKey);
    if (message.traced) this.journeys.derived('dead-lettered', queue, message, dead, { reason, exchange: exchange.name, routingKey: dead.routingKey });
    exchange.counters.publishedIn++;
    const headers = dead.properties.headers;
    // Dead-lettered with its own routing key, a message goes to its CC keys too (BCC was removed when it was published).
    const targets =
      routingKey === null
        ? routeSenderSelected(this.lookupExchange, exchange, dead.routingKey, headers)
        : routeMessage(this.lookupExchange, exchange, dead.routingKey, headers);
    let forwarded: Queue[] | undefined;
    for (const target of targets) {
      if (reason !== 'rejected' && isDeathCycle(target.name, dead)) continue;
      exchange.counters.publishedOut++;
      const served = this.engine.servedQueue(target);
      if (served.enqueue(dead) === ENQUEUED_SYNCING && served !== target) (forwarded ??= []).push(served);
    }
    if (forwarded === undefined) return true;
    const owners = forwarded;
    return { forwarded: (done) => afterFlushes(owners, done) };
  }

  /** Deletes everything (vhost deletion). */
  destroy(): void {
    for (const queue of [...this.queues.values()]) this.removeQueue(queue);
    for (const exchange of [...this.exchanges.values()]) {
      if (exchange.name !== '') this.removeExchange(exchange);
    }
  }
}

/** Calls `done` once every queue's flush() answered (with the first error, if any). */
function afterFlushes(queues: Queue[], done: (error?: Error) => void): void {
  let pending = queues.length;
  let failed: Error | undefined;
  for (const queue of queues) {
    const answered = (error?: Error) => {
      failed ??= error;
      if (--pending === 0) done(failed);
    };
    if (queue.flush) queue.flush(answered);
    else answered();
  }
}

/**
 * A new queue's name must be an AMQP short string, and so must the name of
 * the `<queue>.dlq` it may need (retry tiers or a delivery limit without a
 * dead-letter exchange; quorum queues always have a delivery limit).
 */
function checkQueueName(name: string, args: FieldTable): void {
  checkShortString(`queue name '${shownName(name)}'`, name);
  const mayNeedDeadLetterQueue =
    args['x-dead-letter-exchange'] === undefined &&
    (args['x-retry-tiers'] !== undefined || args['x-delivery-limit'] !== undefined || args['x-queue-type'] === 'quorum');
  if (mayNeedDeadLetterQueue) {
    const dlq = autoDeadLetterQueue(name);
    checkShortString(`the dead-letter queue name '${shownName(dlq)}' that queue '${shownName(name)}' needs`, dlq);
  }
}

/** A fresh `amq.gen-…` name for a queue declared without one. */
export function serverNamedQueue(): string {
  return `amq.gen-${randomBytes(16).toString('base64url')}`;
}
