// A durable Warren in this process as main.ts wires it for journeys: the
// metadata database, the trace log in the data directory, the broker, AMQP
// on an ephemeral port, and the console's API called as signed-in users.

import { join } from 'node:path';
import { startAmqpServer } from '../../server/amqp/server';
import { appRouter } from '../../server/api/root';
import type { Broker } from '../../server/broker/broker';
import { JourneyLog, type JourneyLogOptions } from '../../server/journey/journey-log';
import { openMetadataDb } from '../../server/store/db';
import { openDurableBroker } from '../../server/store/recovery';
import { testServices } from '../support/services';

export interface JourneyServer {
  broker: Broker;
  log: JourneyLog;
  url: string;
  /** The console's API as an administrator, and as a monitoring user. */
  admin: ReturnType<typeof appRouter.createCaller>;
  watcher: ReturnType<typeof appRouter.createCaller>;
  /** Graceful stop, as SIGTERM does: AMQP closed, trace log written, journal and database closed. */
  close(): Promise<void>;
}

export async function openJourneyServer(dataDir: string, bounds: Partial<JourneyLogOptions> = {}): Promise<JourneyServer> {
  const db = await openMetadataDb({ dataDir });
  const log = JourneyLog.open(join(dataDir, 'journeys'), { maxEvents: 100_000, maxAgeMs: 86_400_000, batchMs: 5, ...bounds });
  const { broker, store } = await openDurableBroker({ dataDir, db, journeys: log });
  const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0 });
  const services = { ...testServices(broker, db), journeys: log };
  const as = (name: string, tags: string[]) => appRouter.createCaller({ services, user: { name, tags }, peerAddress: '127.0.0.1', setCookie: () => {} });
  return {
    broker,
    log,
    url: `amqp://guest:guest@127.0.0.1:${server.port}`,
    admin: as('oncall', ['administrator']),
    watcher: as('watcher', ['monitoring']),
    async close() {
      await server.close();
      broker.close();
      await log.close();
      await store.close();
      await db.close();
    },
  };
}
