import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAmqpServer, type AmqpServerHandle } from '../../server/amqp/server';
import { Users } from '../../server/auth/users';
import { AccessControl } from '../../server/broker/access/access-control';
import type { Broker } from '../../server/broker/broker';
import { openMetadataDb, type MetadataDb } from '../../server/store/db';
import { openDurableBroker } from '../../server/store/recovery';

/** A broker whose AMQP listener checks users and permissions from a real SQLite metadata database, as main.ts wires it. */
export interface AccessBroker {
  broker: Broker;
  users: Users;
  server: AmqpServerHandle;
  db: MetadataDb;
  url(user: string, password: string, vhost?: string): string;
  close(): Promise<void>;
}

export async function startAccessBroker(): Promise<AccessBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'warren-access-'));
  const db = await openMetadataDb({ dataDir: dir });
  const access = new AccessControl();
  const users = new Users(db, access);
  await users.load();
  // Durable, as in production: persistent messages are confirmed after the journal's fsync.
  const { broker, store } = await openDurableBroker({ dataDir: dir, db, access });
  users.onDeleted = (name) => broker.closeUserConnections(name, `user '${name}' is deleted`);
  const authenticate = async (name: string, password: string, peer: string) => (await users.authenticate(name, password, peer)).ok;
  const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0, authenticate });
  return {
    broker,
    users,
    server,
    db,
    url: (user, password, vhost = '/') =>
      `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${encodeURIComponent(vhost)}`,
    async close() {
      await server.close();
      broker.close();
      await store.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
