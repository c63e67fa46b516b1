// Durable topology in the metadata database (Prisma): vhosts, policies, and
// the durable exchanges, queues and bindings the engine reports through its
// Store hooks.
// Exclusive queues are not kept (they end with their connection), nor the
// bindings to them.
//
// Writes: the engine's hooks are synchronous and must not wait, so each
// change is queued and the queue is written strictly in order, one change at
// a time (a delete never overtakes the declare before it). `whenWritten`
// calls back once everything queued so far is in the database: the durable
// store defers publisher confirms to it, so that a confirmed message never
// sits in a queue whose declaration could still be lost. A change that fails
// is logged and skipped; the next ones still run.

import type { PolicyDefinition, PolicyTarget } from '../broker/policy/policy-definition';
import type { BindingDefinition, ExchangeDefinition, QueueDefinition } from '../broker/store';
import type { ExchangeType, QueueType } from '../broker/types';
import type { MetadataClient } from './db';
import { decodeFieldTable, encodeFieldTable } from './field-table-json';

export interface StoredPolicy extends PolicyDefinition {
  vhost: string;
}

export interface StoredTopology {
  vhosts: string[];
  /** Vhosts whose journeys are traced as a whole. */
  tracedVhosts: string[];
  policies: StoredPolicy[];
  exchanges: ExchangeDefinition[];
  /** With whether delivery was paused from the console, and whether its journeys are traced. */
  queues: (QueueDefinition & { paused: boolean; traced: boolean })[];
  bindings: BindingDefinition[];
}

export class TopologyStore {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private queued = 0;
  private waiters: (() => void)[] = [];
  private readonly vhostIds = new Map<string, number>();
  /** `vhost\0queue` of durable exclusive queues, whose bindings are not kept either. */
  private readonly exclusiveQueues = new Set<string>();

  constructor(
    private readonly prisma: MetadataClient,
    private readonly log: (line: string) => void,
  ) {}

  /** Everything stored, parents before children (vhosts, policies, exchanges, queues, bindings). */
  async load(): Promise<StoredTopology> {
    const rows = await this.prisma.vhost.findMany({
      orderBy: { id: 'asc' },
      include: {
        policies: { orderBy: { id: 'asc' } },
        exchanges: { orderBy: { id: 'asc' } },
        queues: { orderBy: { id: 'asc' } },
        bindings: { orderBy: { id: 'asc' } },
      },
    });
    const topology: StoredTopology = { vhosts: [], tracedVhosts: [], policies: [], exchanges: [], queues: [], bindings: [] };
    for (const v of rows) {
      this.vhostIds.set(v.name, v.id);
      topology.vhosts.push(v.name);
      if (v.traced) topology.tracedVhosts.push(v.name);
      for (const p of v.policies) {
        topology.policies.push({
          vhost: v.name,
          name: p.name,
          pattern: p.pattern,
          applyTo: p.applyTo as PolicyTarget,
          priority: p.priority,
          definition: JSON.parse(p.definition) as Record<string, unknown>,
        });
      }
      for (const e of v.exchanges) {
        topology.exchanges.push({
          vhost: v.name,
          name: e.name,
          type: e.type as ExchangeType,
          durable: true,
          autoDelete: e.autoDelete,
          internal: e.internal,
          arguments: decodeFieldTable(e.arguments),
        });
      }
      for (const q of v.queues) {
        topology.queues.push({
          vhost: v.name,
          name: q.name,
          type: q.type as QueueType,
          durable: true,
          exclusive: false,
          autoDelete: q.autoDelete,
          arguments: decodeFieldTable(q.arguments),
          paused: q.paused,
          traced: q.traced,
        });
      }
      for (const b of v.bindings) {
        topology.bindings.push({
          vhost: v.name,
          source: b.source,
          destination: b.destination,
          destinationType: b.destinationType === 'exchange' ? 'exchange' : 'queue',
          routingKey: b.routingKey,
          arguments: decodeFieldTable(b.arguments),
        });
      }
    }
    return topology;
  }

  vhostCreated(name: string): void {
    this.write(`vhost '${name}'`, async () => {
      await this.vhostId(name);
    });
  }

  vhostDeleted(name: string): void {
    this.write(`deletion of vhost '${name}'`, async () => {
      await this.prisma.vhost.deleteMany({ where: { name } }); // its exchanges, queues and bindings cascade
      this.vhostIds.delete(name);
    });
  }

  policySet(vhost: string, policy: PolicyDefinition): void {
    this.write(`policy '${policy.name}'`, async () => {
      const vhostId = await this.vhostId(vhost);
      const fields = { pattern: policy.pattern, applyTo: policy.applyTo, priority: policy.priority, definition: JSON.stringify(policy.definition) };
      await this.prisma.policy.upsert({
        where: { vhostId_name: { vhostId, name: policy.name } },
        create: { vhostId, name: policy.name, ...fields },
        update: fields,
      });
    });
  }

  policyDeleted(vhost: string, name: string): void {
    this.write(`deletion of policy '${name}'`, async () => {
      await this.prisma.policy.deleteMany({ where: { vhostId: await this.vhostId(vhost), name } });
    });
  }

  exchangeDeclared(def: ExchangeDefinition): void {
    this.write(`exchange '${def.name}'`, async () => {
      const vhostId = await this.vhostId(def.vhost);
      const fields = { type: def.type, durable: true, autoDelete: def.autoDelete, internal: def.internal, arguments: encodeFieldTable(def.arguments) };
      await this.prisma.exchange.upsert({
        where: { vhostId_name: { vhostId, name: def.name } },
        create: { vhostId, name: def.name, ...fields },
        update: fields,
      });
    });
  }

  exchangeDeleted(vhost: string, name: string): void {
    this.write(`deletion of exchange '${name}'`, async () => {
      await this.prisma.exchange.deleteMany({ where: { vhostId: await this.vhostId(vhost), name } });
    });
  }

  queueDeclared(def: QueueDefinition): void {
    if (def.exclusive) {
      this.exclusiveQueues.add(`${def.vhost}\0${def.name}`);
      return;
    }
    this.write(`queue '${def.name}'`, async () => {
      const vhostId = await this.vhostId(def.vhost);
      const fields = { type: def.type, durable: true, autoDelete: def.autoDelete, arguments: encodeFieldTable(def.arguments) };
      await this.prisma.queue.upsert({
        where: { vhostId_name: { vhostId, name: def.name } },
        create: { vhostId, name: def.name, ...fields },
        update: fields,
      });
    });
  }

  queuePaused(vhost: string, name: string, paused: boolean): void {
    if (this.exclusiveQueues.has(`${vhost}\0${name}`)) return;
    this.write(`${paused ? 'pause' : 'resumption'} of queue '${name}'`, async () => {
      await this.prisma.queue.updateMany({ where: { vhostId: await this.vhostId(vhost), name }, data: { paused } });
    });
  }

  tracingSet(vhost: string, queue: string | null, on: boolean): void {
    if (queue === null) {
      this.write(`journey tracing of vhost '${vhost}'`, async () => {
        await this.prisma.vhost.updateMany({ where: { name: vhost }, data: { traced: on } });
      });
      return;
    }
    if (this.exclusiveQueues.has(`${vhost}\0${queue}`)) return;
    this.write(`journey tracing of queue '${queue}'`, async () => {
      await this.prisma.queue.updateMany({ where: { vhostId: await this.vhostId(vhost), name: queue }, data: { traced: on } });
    });
  }

  queueDeleted(vhost: string, name: string): void {
    if (this.exclusiveQueues.delete(`${vhost}\0${name}`)) return;
    this.write(`deletion of queue '${name}'`, async () => {
      await this.prisma.queue.deleteMany({ where: { vhostId: await this.vhostId(vhost), name } });
    });
  }

  bindingAdded(def: BindingDefinition): void {
    if (def.destinationType === 'queue' && this.exclusiveQueues.has(`${def.vhost}\0${def.destination}`)) return;
    this.write(`binding of '${def.destination}' to '${def.source}'`, async () => {
      const key = await this.bindingKey(def);
      await this.prisma.binding.upsert({
        where: { vhostId_source_destinationType_destination_routingKey_arguments: key },
        create: key,
        update: {},
      });
    });
  }

  bindingRemoved(def: BindingDefinition): void {
    if (def.destinationType === 'queue' && this.exclusiveQueues.has(`${def.vhost}\0${def.destination}`)) return;
    this.write(`unbinding of '${def.destination}' from '${def.source}'`, async () => {
      await this.prisma.binding.deleteMany({ where: await this.bindingKey(def) });
    });
  }

  /** Changes queued since start (written or not): grows with every change. */
  get changesQueued(): number {
    return this.queued;
  }

  /** True when no change is waiting to be written. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** Calls `done` once every change queued so far is written (at once when none is pending). */
  whenWritten(done: () => void): void {
    if (this.pending === 0) done();
    else this.waiters.push(done);
  }

  /** Resolves once every queued change is written. */
  drain(): Promise<void> {
    return new Promise((resolve) => this.whenWritten(resolve));
  }

  private write(what: string, change: () => Promise<void>): void {
    this.pending++;
    this.queued++;
    this.tail = this.tail
      .then(change)
      .catch((error: unknown) => {
        this.log(`metadata database: could not record ${what}: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        if (--this.pending > 0) return;
        const waiters = this.waiters;
        this.waiters = [];
        for (const done of waiters) done();
      });
  }

  private async vhostId(name: string): Promise<number> {
    const known = this.vhostIds.get(name);
    if (known !== undefined) return known;
    const row = await this.prisma.vhost.upsert({ where: { name }, create: { name }, update: {} });
    this.vhostIds.set(name, row.id);
    return row.id;
  }

  private async bindingKey(def: BindingDefinition) {
    return {
      vhostId: await this.vhostId(def.vhost),
      source: def.source,
      destinationType: def.destinationType,
      destination: def.destination,
      routingKey: def.routingKey,
      arguments: encodeFieldTable(def.arguments),
    };
  }
}
