// A Store that keeps in memory what the engine reports as durable (topology
// and the persistent messages of durable queues, retry holding areas
// included), so a test can "restart": build a new Broker from it the way the
// durability layer does (re-declare, then Broker.restoreMessage). It also
// logs the message hooks in order, for checks on what a journal would see.

import { Broker, type BrokerOptions } from '../../server/broker/broker';
import type { Message } from '../../server/broker/message';
import type { BindingDefinition, ExchangeDefinition, QueueDefinition, Store } from '../../server/broker/store';

export type StoreEvent = { op: 'enqueued' | 'removed'; queue: string; seq: number; body: string };

export class CaptureStore implements Store {
  readonly persistsMessages = true;
  readonly events: StoreEvent[] = [];
  private readonly exchanges = new Map<string, ExchangeDefinition>();
  private readonly queues = new Map<string, QueueDefinition>();
  private readonly bindings = new Map<string, BindingDefinition>();
  /** `vhost\0queue` → seq → message. */
  private readonly messages = new Map<string, Map<number, Message>>();

  vhostCreated(): void {}
  vhostDeleted(): void {}
  exchangeDeclared(def: ExchangeDefinition): void {
    this.exchanges.set(`${def.vhost}\0${def.name}`, def);
  }
  exchangeDeleted(vhost: string, name: string): void {
    this.exchanges.delete(`${vhost}\0${name}`);
  }
  queueDeclared(def: QueueDefinition): void {
    this.queues.set(`${def.vhost}\0${def.name}`, def);
  }
  queueDeleted(vhost: string, name: string): void {
    this.queues.delete(`${vhost}\0${name}`);
    this.messages.delete(`${vhost}\0${name}`);
  }
  bindingAdded(def: BindingDefinition): void {
    this.bindings.set(JSON.stringify(def), def);
  }
  bindingRemoved(def: BindingDefinition): void {
    this.bindings.delete(JSON.stringify(def));
  }
  messageEnqueued(vhost: string, queue: string, seq: number, message: Message): void {
    const key = `${vhost}\0${queue}`;
    if (!this.messages.has(key)) this.messages.set(key, new Map());
    this.messages.get(key)!.set(seq, message);
    this.events.push({ op: 'enqueued', queue, seq, body: message.body.toString() });
  }
  messageRemoved(vhost: string, queue: string, seq: number): void {
    const held = this.messages.get(`${vhost}\0${queue}`);
    const message = held?.get(seq);
    held?.delete(seq);
    this.events.push({ op: 'removed', queue, seq, body: message?.body.toString() ?? '' });
  }
  flush(done: (error?: Error) => void): void {
    done();
  }

  /** Messages kept for a queue (or holding area), in seq order. */
  held(vhost: string, queue: string): Message[] {
    const held = this.messages.get(`${vhost}\0${queue}`);
    return held ? [...held.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m) : [];
  }

  /** A new Broker with this store, recovered from what it kept. */
  restart(options: Omit<BrokerOptions, 'store'> = {}): Broker {
    const broker = new Broker({ ...options, store: this });
    for (const def of this.exchanges.values()) {
      if (!def.name.startsWith('amq.')) broker.declareExchange(def.vhost, def.name, def.type, def);
    }
    for (const def of this.queues.values()) broker.declareQueue(def.vhost, def.name, def);
    for (const def of this.bindings.values()) {
      if (def.destinationType === 'queue') broker.bindQueue(def.vhost, def.destination, def.source, def.routingKey, def.arguments);
      else broker.bindExchange(def.vhost, def.destination, def.source, def.routingKey, def.arguments);
    }
    for (const [key, held] of this.messages) {
      const [vhost, queue] = key.split('\0');
      for (const [seq, message] of [...held.entries()].sort((a, b) => a[0] - b[0])) broker.restoreMessage(vhost!, queue!, seq, message);
    }
    return broker;
  }
}
