/** What one running Warren process is made of, as the API and HTTP layers see it. */
import type { Broker } from './broker/broker';
import type { BucketCounts } from './broker/bucket-counts';
import type { Sessions } from './auth/sessions';
import type { Users } from './auth/users';
import type { BrokerSampler } from './metrics/broker-sampler';
import type { ProcessSampler } from './metrics/process-sampler';
import type { MemoryReading } from './amqp/memory-alarm';
import type { Alerts } from './alerts/alerts';
import type { HistoryRecorder } from './history/history-recorder';
import type { Logger } from './log';
import type { FaultCounts } from './process-faults';
import type { MetadataDb } from './store/db';
import type { JournalDamage } from './store/journal/damage-report';
import type { DatabaseLoss } from './cluster/database-watch';
import type { ClusterNodeInfo, OwnerCounts } from './cluster/membership';
import type { JourneyLog } from './journey/journey-log';
import type { SharedConnections } from './cluster/shared-connections';

export interface Services {
  broker: Broker;
  db: MetadataDb;
  users: Users;
  sessions: Sessions;
  sampler: ProcessSampler;
  brokerSampler: BrokerSampler;
  /** The charts' 1-minute history in the metadata database. */
  history: HistoryRecorder;
  /** Alert rules, their evaluation and webhooks. */
  alerts: Alerts;
  version: string;
  nodeName: string;
  startedAt: number;
  /** Resource alarms raised now (memory, disk): publishers are blocked while any is. */
  alarms: () => { source: string; reason: string }[];
  /** What the journal replay at start lost to damaged bytes; absent when nothing (or no journal). */
  journalDamage?: JournalDamage;
  /** Where this process listens, e.g. { amqp: '127.0.0.1:5672', http: '127.0.0.1:15672' }. */
  listeners: { amqp: string; http: string };
  /** What the memory alarm measures now against its marks (amqp/memory-alarm.ts); null when it is off. */
  memory: () => MemoryReading | null;
  /** Errors nothing caught that the process survived (process-faults.ts). */
  processFaults: FaultCounts;
  /** The journal's fdatasync latencies; absent without a journal. */
  journalSyncLatency?: BucketCounts;
  /** Free space on the data directory's disk at the last check (undefined before it) and the disk alarm's limit; absent without a disk alarm. */
  disk?: () => { freeBytes: number | undefined; limitBytes: number };
  /** The trace log of message journeys; absent in tests that do not trace. */
  journeys?: JourneyLog;
  /** The process's logger (audit events go there too); absent in tests that do not look. */
  logger?: Logger;
  /** Cluster mode only (WARREN_CLUSTER): the nodes sharing this node's PostgreSQL database. */
  cluster?: {
    name: string;
    nodes(): Promise<ClusterNodeInfo[]>;
    servingNode(vhost: string, queue: string, durable: boolean): string | null;
    moveQueue(vhost: string, queue: string, target: string): Promise<string | null>;
    /** Counts of the queues other nodes own (this node's copies of them are empty), by `vhost\u0000queue`. */
    queueCountsElsewhere(): Promise<Map<string, OwnerCounts>>;
    /** The other nodes' client connections, and closing one of them. */
    readonly connections: Pick<SharedConnections, 'elsewhere' | 'close'>;
    /** Why this node is without its database now; null while it answers. */
    readonly databaseLoss: DatabaseLoss | null;
  };
}
