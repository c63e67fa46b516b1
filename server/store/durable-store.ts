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
//
// Moves (Broker.moveMessages, and dead letters requeued, between moveStarted
// and moveFinished): the enqueue of the moving message (or of its rewritten
// copy) into its target is held back until the removal from the source queue,
// and the pair becomes one MOVE record, so a crash leaves the message in
// exactly one of the two queues. Whatever does not pair up is written as
// usual when the move finishes, or when the next move starts.

import type { Message } from '../broker/message';
import type { PolicyDefinition } from '../broker/policy/policy-definition';
import type { BindingDefinition, ExchangeDefinition, QueueDefinition, Store } from '../broker/store';
import type { Journal } from './journal/journal';
import type { TopologyStore } from './topology';

interface HeldEnqueue {
  vhost: string;
  queue: string;
  seq: number;
  message: Message;
  expiresAt: number;
  delivered: boolean;
}

export class DurableStore implements Store {
  readonly persistsMessages = true;
  /** True while recovery re-declares the stored topology. */
  muted = false;
  /** The move in progress: its vhost, source queue and message. */
  private move: { vhost: string; from: string; message: Message } | null = null;
  /** The moving message's enqueue into the target, waiting for its removal from the source. */
  private held: HeldEnqueue | null = null;

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

  queuePaused(vhost: string, name: string, paused: boolean): void {
    if (!this.muted) this.topology.queuePaused(vhost, name, paused);
  }

  tracingSet(vhost: string, queue: string | null, on: boolean): void {
    if (!this.muted) this.topology.tracingSet(vhost, queue, on);
  }

  policySet(vhost: string, policy: PolicyDefinition): void {
    if (!this.muted) this.topology.policySet(vhost, policy);
  }

  policyDeleted(vhost: string, name: string): void {
    if (!this.muted) this.topology.policyDeleted(vhost, name);
  }

  bindingAdded(def: BindingDefinition): void {
    if (!this.muted) this.topology.bindingAdded(def);
  }

  bindingRemoved(def: BindingDefinition): void {
    if (!this.muted) this.topology.bindingRemoved(def);
  }

  messageEnqueued(vhost: string, queue: string, seq: number, message: Message, expiresAt: number): void {
    const move = this.move;
    if (move !== null && this.held === null && message === move.message && vhost === move.vhost && queue !== move.from) {
      this.held = { vhost, queue, seq, message, expiresAt, delivered: false };
      return;
    }
    this.journal.enqueue(vhost, queue, seq, message, expiresAt);
  }

  messageRemoved(vhost: string, queue: string, seq: number): void {
    const held = this.held;
    if (held !== null && held.vhost === vhost) {
      if (held.queue === queue && held.seq === seq) {
        this.held = null; // it left its target again at once (a length limit): nothing to record
        return;
      }
      if (queue === this.move!.from && this.journal.move(vhost, queue, seq, held.queue, held.seq, held.message, held.expiresAt)) {
        this.held = null;
        if (held.delivered) this.journal.delivered(vhost, held.queue, held.seq);
        return;
      }
    }
    this.journal.remove(vhost, queue, seq);
  }

  messageDelivered(vhost: string, queue: string, seq: number): void {
    const held = this.held;
    if (held !== null && held.vhost === vhost && held.queue === queue && held.seq === seq) held.delivered = true;
    else this.journal.delivered(vhost, queue, seq);
  }

  moveStarted(vhost: string, from: string, message: Message): void {
    this.moveFinished();
    this.move = { vhost, from, message };
  }

  moveFinished(): void {
    const held = this.held;
    this.move = null;
    this.held = null;
    if (held === null) return;
    this.journal.enqueue(held.vhost, held.queue, held.seq, held.message, held.expiresAt);
    if (held.delivered) this.journal.delivered(held.vhost, held.queue, held.seq);
  }

  get recorded(): number {
    return this.journal.appendedBytes + this.topology.changesQueued;
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
