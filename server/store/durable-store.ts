// The engine's Store backed by disk: messages go to the journal
// (server/store/journal), topology to the metadata database (topology.ts).
//
// States: muted (recovery re-declares what was loaded: topology hooks record
// nothing, so a start does not rewrite every row) → live → closed (after
// close(); the journal refuses further records).
//
// Confirms: `flush` answers once the topology changes queued so far are in
// the database and the journal has synced everything recorded so far, so a
// confirmed message can never come back without the queue that holds it.

import type { Message } from '../broker/message';
import type { BindingDefinition, ExchangeDefinition, QueueDefinition, Store } from '../broker/store';
import type { Journal } from './journal/journal';
import type { TopologyStore } from './topology';

export class DurableStore implements Store {
  readonly persistsMessages = true;
  /** True while recovery re-declares the stored topology. */
  muted = false;

  constructor(
    readonly journal: Journal,
    readonly topology: TopologyStore,
  ) {}

  vhostCreated(name: string): void {
    if (!this.muted) this.topology.vhostCreated(name);
  }

  vhostDeleted(name: string): void {
    if (!this.muted) this.topology.vhostDeleted(name);
  }

  exchangeDeclared(def: ExchangeDefinition): void {
    if (!this.muted) this.topology.exchangeDeclared(def);
  }

  exchangeDeleted(vhost: string, name: string): void {
    if (!this.muted) this.topology.exchangeDeleted(vhost, name);
  }

  queueDeclared(def: QueueDefinition): void {
    if (!this.muted) this.topology.queueDeclared(def);
  }

  queueDeleted(vhost: string, name: string): void {
    this.journal.dropQueue(vhost, name);
    if (!this.muted) this.topology.queueDeleted(vhost, name);
  }

  bindingAdded(def: BindingDefinition): void {
    if (!this.muted) this.topology.bindingAdded(def);
  }

  bindingRemoved(def: BindingDefinition): void {
    if (!this.muted) this.topology.bindingRemoved(def);
  }

  messageEnqueued(vhost: string, queue: string, seq: number, message: Message): void {
    this.journal.enqueue(vhost, queue, seq, message);
  }

  messageRemoved(vhost: string, queue: string, seq: number): void {
    this.journal.remove(vhost, queue, seq);
  }

  messageDelivered(vhost: string, queue: string, seq: number): void {
    this.journal.delivered(vhost, queue, seq);
  }

  flush(done: (error?: Error) => void): void {
    if (this.topology.idle) this.journal.flush(done);
    else this.topology.whenWritten(() => this.journal.flush(done));
  }

  /** Writes the pending topology changes, then syncs and closes the journal. */
  async close(): Promise<void> {
    await this.topology.drain();
    await this.journal.close();
  }
}
