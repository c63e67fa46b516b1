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
import { shortStringProblem, shownName } from '../broker/short-string';
import type { Store } from '../broker/store';
import type { StreamStorage } from '../broker/stream/stream-store';
import type { AccessControl } from '../broker/access/access-control';
import type { JourneyRecorder } from '../broker/broker';
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
  /** Users' permissions, checked on AMQP operations. */
  access?: AccessControl;
  journal?: JournalOptions;
  log?: (line: string) => void;
  /** Told of each fault the engine contained (BrokerOptions.onFault). */
  onFault?: (what: string, error: unknown) => void;
  /** Where the steps of traced messages go (the trace log, server/journey/journey-log.ts). */
  journeys?: JourneyRecorder;
  /** Cluster mode: the store the engine uses, around this node's own (server/cluster/cluster-store.ts). */
  wrapStore?: (store: DurableStore) => Store;
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
  const broker = new Broker({
    store: options.wrapStore?.(store) ?? store,
    nodeName: options.nodeName,
    streams: options.streams,
    access: options.access,
    onFault: options.onFault,
    journeys: options.journeys,
  });
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
  for (const vhost of stored.tracedVhosts) broker.journeys.setTracing(vhost, null, true);
  // Policies first, so that queues come back with their retry tiers' holding areas for the messages below.
  for (const { vhost, ...policy } of stored.policies) {
    attempt(`policy '${policy.name}' in vhost '${vhost}'`, () => broker.setPolicy(vhost, policy));
  }
  for (const e of stored.exchanges) {
    warnOfName('exchange', e.name, e.vhost, log);
    attempt(`exchange '${e.name}' in vhost '${e.vhost}'`, () =>
      broker.declareExchange(e.vhost, e.name, e.type, {
        durable: true,
        autoDelete: e.autoDelete,
        internal: e.internal,
        arguments: e.arguments,
        fromStore: true,
      }),
    );
  }
  for (const q of stored.queues) {
    warnOfName('queue', q.name, q.vhost, log);
    attempt(`queue '${q.name}' in vhost '${q.vhost}'`, () => redeclareQueue(broker, q, log));
  }
  for (const b of stored.bindings) {
    attempt(`binding of '${b.destination}' to '${b.source}' in vhost '${b.vhost}'`, () => {
      if (b.destinationType === 'queue') broker.bindQueue(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
      else broker.bindExchange(b.vhost, b.destination, b.source, b.routingKey, b.arguments);
    });
  }
}

/** A name stored before names had to be AMQP short strings: kept, so that nothing in it is lost, and said so. */
function warnOfName(kind: 'queue' | 'exchange', name: string, vhost: string, log: (line: string) => void): void {
  const problem = shortStringProblem(name);
  if (problem === null) return;
  log(
    `recovery: the name of ${kind} '${shownName(name)}' in vhost '${vhost}' ${problem}; AMQP clients cannot reach it. ` +
      `It is restored so that its messages can be moved out from the console; then delete it.`,
  );
}

/** Logs what a stored queue came back without (Broker.restoreQueueDeclaration). */
function redeclareQueue(broker: Broker, q: StoredTopology['queues'][number], log: (line: string) => void): void {
  const { dropped, refusal } = broker.restoreQueueDeclaration(q.vhost, q.name, { autoDelete: q.autoDelete, arguments: q.arguments });
  if (q.paused) broker.queueTools.pause(q.vhost, q.name);
  if (q.traced) broker.journeys.setTracing(q.vhost, q.name, true);
  if (dropped.length === 0) return;
  log(
    `recovery: queue '${shownName(q.name)}' in vhost '${q.vhost}' is restored without its argument(s) ${dropped.join(', ')}, ` +
      `which are refused now (${refusal}); redeclare it with valid arguments.`,
  );
}

function restoreMessages(broker: Broker, store: DurableStore, recovery: Recovery, log: (line: string) => void): number {
  let restored = 0;
  for (const queue of recovery.queues) {
    if (queue.messages.length === 0) continue;
    try {
      const outcome = broker.restoreQueueMessages(queue.vhost, queue.name, queue.messages, (seq) => store.journal.remove(queue.vhost, queue.name, seq));
      if (outcome === 'missing') {
        log(`recovery: dropped ${queue.messages.length} messages of queue '${queue.name}' in vhost '${queue.vhost}', which is not declared any more`);
        store.journal.dropQueue(queue.vhost, queue.name);
        continue;
      }
      restored += queue.messages.length;
    } catch (error) {
      // A queue that refuses its messages must not keep the others from coming back.
      log(
        `recovery: could not restore the messages of queue '${queue.name}' in vhost '${queue.vhost}': ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return restored;
}
