// Durable topology in the metadata database (Prisma): vhosts, policies, and
// the durable exchanges, queues and bindings the engine reports through its
// Store hooks.
// Exclusive queues are not kept (they end with their connection), nor the
// bindings to them.
//
// Writes: the engine's hooks are synchronous and must not wait, so each
// change is queued and the queue is written strictly in order (a delete never
// overtakes the declare before it). Changes queued meanwhile are written
// together, up to BATCH at a time, in one database transaction: one commit
// for a definitions import of thousands of queues instead of one each.
// `whenWritten` calls back once everything queued so far is in the database:
// the durable store defers publisher confirms to it, so that a confirmed
// message never sits in a queue whose declaration could still be lost. A
// change that fails is logged and skipped; the next ones still run (a batch
// that fails is written again one change at a time, to find which).

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

/** Changes written in one transaction at most. */
const BATCH = 500;

/** What a change writes through: the client, or a transaction of it. */
type Writer = Pick<MetadataClient, 'vhost' | 'policy' | 'exchange' | 'queue' | 'binding'>;

interface Change {
  what: string;
  run: (db: Writer) => Promise<void>;
}

export class TopologyStore {
  private readonly changes: Change[] = [];
  private writing = false;
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
    this.write(`vhost '${name}'`, async (db) => {
      await this.vhostId(db, name);
    });
  }

  vhostDeleted(name: string): void {
    this.write(`deletion of vhost '${name}'`, async (db) => {
      await db.vhost.deleteMany({ where: { name } }); // its exchanges, queues and bindings cascade
      this.vhostIds.delete(name);
    });
  }

  policySet(vhost: string, policy: PolicyDefinition): void {
    this.write(`policy '${policy.name}'`, async (db) => {
      const vhostId = await this.vhostId(db, vhost);
      const fields = { pattern: policy.pattern, applyTo: policy.applyTo, priority: policy.priority, definition: JSON.stringify(policy.definition) };
      await db.policy.upsert({
        where: { vhostId_name: { vhostId, name: policy.name } },
        create: { vhostId, name: policy.name, ...fields },
        update: fields,
      });
    });
  }

  policyDeleted(vhost: string, name: string): void {
    this.write(`deletion of policy '${name}'`, async (db) => {
      await db.policy.deleteMany({ where: { vhostId: await this.vhostId(db, vhost), name } });
    });
  }

  exchangeDeclared(def: ExchangeDefinition): void {
    this.write(`exchange '${def.name}'`, async (db) => {
      const vhostId = await this.vhostId(db, def.vhost);
      const fields = { type: def.type, durable: true, autoDelete: def.autoDelete, internal: def.internal, arguments: encodeFieldTable(def.arguments) };
      await db.exchange.upsert({
        where: { vhostId_name: { vhostId, name: def.name } },
        create: { vhostId, name: def.name, ...fields },
        update: fields,
      });
    });
  }

  exchangeDeleted(vhost: string, name: string): void {
    this.write(`deletion of exchange '${name}'`, async (db) => {
      await db.exchange.deleteMany({ where: { vhostId: await this.vhostId(db, vhost), name } });
    });
  }

  queueDeclared(def: QueueDefinition): void {
    if (def.exclusive) {
      this.exclusiveQueues.add(`${def.vhost}\0${def.name}`);
      return;
    }
    this.write(`queue '${def.name}'`, async (db) => {
      const vhostId = await this.vhostId(db, def.vhost);
      const fields = { type: def.type, durable: true, autoDelete: def.autoDelete, arguments: encodeFieldTable(def.arguments) };
      await db.queue.upsert({
        where: { vhostId_name: { vhostId, name: def.name } },
        create: { vhostId, name: def.name, ...fields },
        update: fields,
      });
    });
  }

  queuePaused(vhost: string, name: string, paused: boolean): void {
    if (this.exclusiveQueues.has(`${vhost}\0${name}`)) return;
    this.write(`${paused ? 'pause' : 'resumption'} of queue '${name}'`, async (db) => {
      await db.queue.updateMany({ where: { vhostId: await this.vhostId(db, vhost), name }, data: { paused } });
    });
  }

  tracingSet(vhost: string, queue: string | null, on: boolean): void {
    if (queue === null) {
      this.write(`journey tracing of vhost '${vhost}'`, async (db) => {
        await db.vhost.updateMany({ where: { name: vhost }, data: { traced: on } });
      });
      return;
    }
    if (this.exclusiveQueues.has(`${vhost}\0${queue}`)) return;
    this.write(`journey tracing of queue '${queue}'`, async (db) => {
      await db.queue.updateMany({ where: { vhostId: await this.vhostId(db, vhost), name: queue }, data: { traced: on } });
    });
  }

  queueDeleted(vhost: string, name: string): void {
    if (this.exclusiveQueues.delete(`${vhost}\0${name}`)) return;
    this.write(`deletion of queue '${name}'`, async (db) => {
      await db.queue.deleteMany({ where: { vhostId: await this.vhostId(db, vhost), name } });
    });
  }

  bindingAdded(def: BindingDefinition): void {
    if (def.destinationType === 'queue' && this.exclusiveQueues.has(`${def.vhost}\0${def.destination}`)) return;
    this.write(`binding of '${def.destination}' to '${def.source}'`, async (db) => {
      const key = await this.bindingKey(db, def);
      await db.binding.upsert({
        where: { vhostId_source_destinationType_destination_routingKey_arguments: key },
        create: key,
        update: {},
      });
    });
  }

  bindingRemoved(def: BindingDefinition): void {
    if (def.destinationType === 'queue' && this.exclusiveQueues.has(`${def.vhost}\0${def.destination}`)) return;
    this.write(`unbinding of '${def.destination}' from '${def.source}'`, async (db) => {
      await db.binding.deleteMany({ where: await this.bindingKey(db, def) });
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

  private write(what: string, run: (db: Writer) => Promise<void>): void {
    this.pending++;
    this.queued++;
    this.changes.push({ what, run });
    if (!this.writing) void this.writeQueued();
  }

  private async writeQueued(): Promise<void> {
    this.writing = true;
    while (this.changes.length > 0) {
      const batch = this.changes.splice(0, BATCH);
      try {
        await this.prisma.$transaction(
          async (tx) => {
            for (const change of batch) await change.run(tx);
          },
          { timeout: 120_000 },
        );
      } catch {
        // Ids cached inside the failed transaction were rolled back with it.
        this.vhostIds.clear();
        for (const change of batch) {
          await change.run(this.prisma).catch((error: unknown) => {
            this.log(`metadata database: could not record ${change.what}: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
      }
      this.pending -= batch.length;
    }
    this.writing = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const done of waiters) done();
  }

  private async vhostId(db: Writer, name: string): Promise<number> {
    const known = this.vhostIds.get(name);
    if (known !== undefined) return known;
    const row = await db.vhost.upsert({ where: { name }, create: { name }, update: {} });
    this.vhostIds.set(name, row.id);
    return row.id;
  }

  private async bindingKey(db: Writer, def: BindingDefinition) {
    return {
      vhostId: await this.vhostId(db, def.vhost),
      source: def.source,
      destinationType: def.destinationType,
      destination: def.destination,
      routingKey: def.routingKey,
      arguments: encodeFieldTable(def.arguments),
    };
  }
}
