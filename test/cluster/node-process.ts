// A Warren cluster node without the console: the cluster's start (control
// connection, start lock, join, heartbeats, change feed), metadata database,
// users, durable broker and AMQP listener, wired as server/main.ts wires them,
// and its client connections for the other nodes' consoles.
// The cluster tests spawn it (loading Next.js would make each start take
// seconds); the cluster part is the same code main.ts runs.
//
// Run: WARREN_CLUSTER=true DATABASE_URL=postgresql://… WARREN_NODE_NAME=n1 WARREN_DATA_DIR=… npx tsx test/cluster/node-process.ts
// Prints "ready <amqpPort>" once clients may connect; a start error is one
// line on stderr starting with "warren: ", exit 1. SIGTERM: clean stop, exit 0.

import { clientCount, localConnectionRows } from '../../server/api/connection-rows';
import { startAmqpServer } from '../../server/amqp/server';
import { Users } from '../../server/auth/users';
import { AccessControl } from '../../server/broker/access/access-control';
import { ClusterNode } from '../../server/cluster/cluster-node';
import { ClusterError } from '../../server/cluster/errors';
import { ConfigError, loadConfig } from '../../server/config';
import { BrokerSampler } from '../../server/metrics/broker-sampler';
import { MetadataDbError, openMetadataDb } from '../../server/store/db';
import { DataDirInUseError, lockDataDir } from '../../server/store/data-dir-lock';
import { openDurableBroker } from '../../server/store/recovery';

const log = (line: string) => console.log(line);
const fail = (message: string): never => {
  console.error(`warren: ${message}`);
  process.exit(1);
};

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  if (!config.cluster || config.databaseUrl === undefined) fail('node-process.ts is for cluster mode: set WARREN_CLUSTER=true and DATABASE_URL');
  const unlock = lockDataDir(config.dataDir);
  const cluster = await ClusterNode.connect({
    databaseUrl: config.databaseUrl!,
    nodeName: config.nodeName,
    dataDir: config.dataDir,
    version: 'test',
    addresses: { amqp: `${config.host}:${config.amqpPort}`, http: `${config.host}:${config.httpPort}` },
    log,
    onNameLost: fail,
  });
  const db = await openMetadataDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log, applicationName: cluster.name });
  await cluster.join();
  const access = new AccessControl();
  const users = new Users(db, access);
  await users.load(config.defaultUser);
  const { broker, store } = await openDurableBroker({
    dataDir: config.dataDir,
    db,
    nodeName: config.nodeName,
    access,
    log,
    wrapStore: (own) => cluster.messageStore(own),
  });
  users.onDeleted = (name) => broker.closeUserConnections(name, `user '${name}' is deleted`);
  await cluster.run({ broker, store, users }, () => ({ connections: clientCount(broker), memoryBytes: process.memoryUsage().rss }));
  const amqp = await startAmqpServer({
    broker,
    host: config.host,
    port: config.amqpPort,
    authenticate: (name, password, peer) => cluster.authenticate(name, password, async () => (await users.authenticate(name, password, peer)).ok),
    claims: cluster.claims,
  });
  cluster.attachClients(amqp);
  const brokerSampler = new BrokerSampler(broker);
  brokerSampler.start();
  cluster.connections.attach({
    rows: () => localConnectionRows({ broker, brokerSampler, nodeName: config.nodeName, cluster }),
    close: (id, reason) => broker.closeConnection(id, reason),
  });
  cluster.setAddresses({ amqp: `${config.host}:${amqp.port}`, http: `${config.host}:${config.httpPort}` });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    brokerSampler.stop();
    await amqp.close();
    await cluster.leave();
    broker.close();
    await store.close();
    await db.close();
    unlock();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  // Only once SIGTERM stops it cleanly: a test may send it as soon as it reads this line.
  console.log(`ready ${amqp.port}`);
}

main().catch((error: unknown) =>
  fail(
    error instanceof ConfigError || error instanceof ClusterError || error instanceof MetadataDbError || error instanceof DataDirInUseError
      ? error.message
      : ((error as Error)?.stack ?? String(error)),
  ),
);
