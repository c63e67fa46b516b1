import { Sessions } from '../../server/auth/sessions';
import { Users } from '../../server/auth/users';
import { AccessControl } from '../../server/broker/access/access-control';
import type { Broker } from '../../server/broker/broker';
import { BrokerSampler } from '../../server/metrics/broker-sampler';
import { ProcessSampler } from '../../server/metrics/process-sampler';
import { createMonitoring, DEFAULT_MONITORING, type MonitoringSettings } from '../../server/monitoring';
import type { Services } from '../../server/services';
import type { MetadataDb } from '../../server/store/db';

/** The services of one Warren process around a real broker and metadata database, as main.ts makes them, for tests that call the API. */
export function testServices(
  broker: Broker,
  db: MetadataDb,
  options: { users?: Users; startedAt?: number; monitoring?: Partial<MonitoringSettings> } = {},
): Services {
  const brokerSampler = new BrokerSampler(broker);
  return {
    broker,
    db,
    users: options.users ?? new Users(db, new AccessControl()),
    sessions: new Sessions(),
    sampler: new ProcessSampler(),
    brokerSampler,
    // Built but not started: tests that look at history or alerts start them.
    ...createMonitoring(broker, brokerSampler, db, { ...DEFAULT_MONITORING, ...options.monitoring }),
    version: 'test',
    nodeName: broker.nodeName,
    startedAt: options.startedAt ?? Date.now(),
    listeners: { amqp: '', http: '' },
    alarms: () => [],
    memory: () => null,
    processFaults: { unhandledRejections: 0 },
  };
}
