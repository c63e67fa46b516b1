// Start-up of a durable broker: replay the journal, load the topology from
// the metadata database, build the Broker over a DurableStore, re-declare
// the topology through the facade (store muted) and put every recovered
// message back at its seq, redelivered when it had gone to a consumer.
//
// Message ids continue: the recovered Message objects keep theirs and the
// engine numbers new messages above the highest restored one. Messages of a
// queue that no longer exists (an exclusive queue, a declaration the database
// never received) are dropped from the journal, and said so.

import { join } from 'node:path';
import { Broker } from '../broker/broker';
import { workQueueOfHoldingArea } from '../broker/retry/holding-area';
import type { StreamStorage } from '../broker/stream/stream-store';
import type { MetadataDb } from './db';
import { DurableStore } from './durable-store';
import { journalDamage, type JournalDamage } from './journal/damage-report';
import { Journal, type JournalOptions } from './journal/journal';
import type { Recovery } from './journal/replay';
import { TopologyStore, type StoredTopology } from './topology';

export interface DurableBrokerOptions {
  dataDir: string;
  db: MetadataDb;
  nodeName?: string;
  streams?: StreamStorage;
  journal?: JournalOptions;
  log?: (line: string) => void;
}

export interface DurableBroker {
  broker: Broker;
  store: DurableStore;
  /** What the journal replay found. */
  recovery: Recovery;
  /** What the replay lost to damaged journal bytes (not torn tails), for the overview and /metrics; null when nothing. */
  journalDamage: JournalDamage | null;
  /** Messages put back into queues (and retry holding areas). */
  restoredMessages: number;
}

export async function openDurableBroker(options: DurableBrokerOptions): Promise<DurableBroker> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const { journal, recovery } = Journal.open(join(options.dataDir, 'journal'), options.journal);
  const damage = journalDamage(recovery);
  reportSkipped(recovery, damage, log);
  const topology = new TopologyStore(options.db.prisma, log);
  const stored = await topology.load();
  const store = new DurableStore(journal, topology);
  store.muted = true;
  const broker = new Broker({ store, nodeName: options.nodeName, streams: options.streams });
  let restoredMessages = 0;
  try {
    redeclare(broker, stored, log);
    restoredMessages = restoreMessages(broker, store, recovery, log);
  } finally {
    store.muted = false;
  }
  for (const vhost of broker.listVhosts()) if (!stored.vhosts.includes(vhost)) store.vhostCreated(vhost);
  const ms = Math.round(performance.now() - started);
  log(
    `recovered ${stored.exchanges.length} exchanges, ${stored.queues.length} queues, ${stored.bindings.length} bindings and ` +
      `${restoredMessages} messages in ${ms} ms (journal replay ${Math.round(recovery.durationMs)} ms, ${recovery.segmentsRead} segments)`,
  );
  return { broker, store, recovery, journalDamage: damage, restoredMessages };
}

/** Regions logged one by one at most; the summary covers them all. */
const LOGGED_REGIONS = 20;

function reportSkipped(recovery: Recovery, damage: JournalDamage | null, log: (line: string) => void): void {
  for (const s of recovery.skipped.slice(0, LOGGED_REGIONS)) {
    log(`journal: skipped ${s.bytes} bytes of segment ${s.segment} from offset ${s.offset} (${s.reason}: ${s.detail})`);
  }
  if (recovery.skipped.length > LOGGED_REGIONS) log(`journal: skipped ${recovery.skipped.length - LOGGED_REGIONS} more regions`);
  for (const line of damage?.summary ?? []) log(`journal: ${line}`);
}

/** Declares what was stored; a definition the engine now refuses is logged and left out. */
function redeclare(broker: Broker, stored: StoredTopology, log: (line: string) => void): void {
  const attempt = (what: string, declare: () => void) => {
    try {
      declare();
    } catch (error) {
      log(`recovery: could not restore ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (const vhost of stored.vhosts) broker.createVhost(vhost);
  // Policies first, so that queues come back with their retry tiers' holding areas for the messages below.
  for (const { vhost, ...policy } of stored.policies) {
    attempt(`policy '${policy.name}' in vhost '${vhost}'`, () => broker.setPolicy(vhost, policy));
  }
  for (const e of stored.exchanges) {
    attempt(`exchange '${e.name}' in vhost '${e.vhost}'`, () =>
      broker.declareExchange(e.vhost, e.name, e.type, { durable: true, autoDelete: e.autoDelete, internal: e.internal, arguments: e.arguments }),
    );
  }
  for (const q of stored.queues) {
    attempt(`queue '${q.name}' in vhost '${q.vhost}'`, () =>
      broker.declareQueue(q.vhost, q.name, { durable: true, autoDelete: q.autoDelete, arguments: q.arguments }),
    );
  }
  for (const b of stored.bindings) {
    attempt(`binding of '${b.destination}' to '${b.source}' in vhost '${b.vhost}'`, () => {
      if (b.destinationType === 'queue') broker.bindQueue(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
      else broker.bindExchange(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
    });
  }
}

function restoreMessages(broker: Broker, store: DurableStore, recovery: Recovery, log: (line: string) => void): number {
  let restored = 0;
  for (const queue of recovery.queues) {
    if (queue.messages.length === 0) continue;
    const vhost = broker.vhostObject(queue.vhost);
    // A retry tier that is gone (a policy changed while the broker was down): its messages are due now.
    const workQueue = vhost && !vhost.holdingAreas.has(queue.name) ? vhost.queues.get(workQueueOfHoldingArea(queue.name) ?? '') : undefined;
    if (workQueue !== undefined) {
      for (const { seq, message } of queue.messages) {
        workQueue.enqueue(message);
        store.journal.remove(queue.vhost, queue.name, seq);
        restored++;
      }
      continue;
    }
    if (!vhost || !(vhost.queues.has(queue.name) || vhost.holdingAreas.has(queue.name))) {
      log(`recovery: dropped ${queue.messages.length} messages of queue '${queue.name}' in vhost '${queue.vhost}', which is not declared any more`);
      store.journal.dropQueue(queue.vhost, queue.name);
      continue;
    }
    try {
      for (const { seq, message, redelivered, expiresAt } of queue.messages) {
        broker.restoreMessage(queue.vhost, queue.name, seq, message, redelivered ? 1 : 0, expiresAt);
        restored++;
      }
    } catch (error) {
      // A queue that refuses its messages must not keep the others from coming back.
      log(`recovery: could not restore the messages of queue '${queue.name}' in vhost '${queue.vhost}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return restored;
}
