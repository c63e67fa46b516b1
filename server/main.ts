/**
 * The Warren process: settings, metadata database, broker engine, AMQP
 * listener, HTTP server (API, /metrics, console) — started in that order and
 * stopped in reverse on SIGTERM/SIGINT. Nothing else lives here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, settingName } from './config';
import { AmqpsListenError, startAmqpServer } from './amqp/server';
import { MetadataDbError, openMetadataDb, type MetadataDb } from './store/db';
import { FileStreamStorage } from './store/stream/file-stream-storage';
import { openDurableBroker } from './store/recovery';
import { DataDirInUseError, lockDataDir } from './store/data-dir-lock';
import { DiskAlarm, diskAlarmReason } from './store/disk-alarm';
import { DiskReserve } from './store/disk-reserve';
import { ProcessSampler } from './metrics/process-sampler';
import { keepArrivals } from './metrics/arrival-file';
import { BrokerSampler } from './metrics/broker-sampler';
import { createMonitoring } from './monitoring';
import { startHttpServer } from './http/server';
import { createPagesHandler } from './http/pages';
import { describeListenError } from './listen-error';
import { Sessions } from './auth/sessions';
import { isLoopback, Users } from './auth/users';
import { installFaultPolicy } from './process-faults';
import { AccessControl } from './broker/access/access-control';
import { DefinitionsLoadError, loadDefinitionsAtStart } from './definitions/startup';
import type { Services } from './services';
import { clientCount, localConnectionRows } from './api/connection-rows';
import { createLogger, type Logger } from './log';
import { ClusterNode } from './cluster/cluster-node';
import { ClusterError } from './cluster/errors';
import { JourneyLog } from './journey/journey-log';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Until the settings are read: their log level is not known yet. */
let logger: Logger = createLogger({ level: 'info' });

/** Start-up cannot go on: one plain line for the person who started Warren, on stderr (not a log record). */
function fail(message: string): never {
  console.error(`warren: ${message}`);
  process.exit(1);
}

/** Whether the only user is guest, who may connect from loopback only: then no other machine can use this broker. */
async function onlyGuest(db: MetadataDb): Promise<boolean> {
  const users = await db.prisma.user.findMany({ select: { name: true }, take: 2 });
  return users.length === 1 && users[0]?.name === 'guest';
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const processFaults = installFaultPolicy((line) => logger.error({ module: 'process' }, line));
  const config = loadConfig(process.argv.slice(2), process.env);
  logger = createLogger({ level: config.logLevel });
  /** A module's log callback: its lines at info level, with its name. */
  const lines = (module: string) => {
    const child = logger.child({ module });
    return (line: string) => child.info(line);
  };
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  // On a disk already full, starting needs the reserve's space (pid file, database, journal segment).
  const reserve = new DiskReserve(config.dataDir);
  if (reserve.releaseIfDiskFull())
    logger.warn({ module: 'disk' }, 'almost no space left in the data directory; gave back the disk reserve so that Warren can start');
  const unlockDataDir = lockDataDir(config.dataDir);

  // Cluster mode: PostgreSQL is reached first, and nodes starting together take turns until `cluster.run`.
  const cluster =
    config.cluster && config.databaseUrl !== undefined // loadConfig refuses cluster mode without a PostgreSQL URL
      ? await ClusterNode.connect({
          databaseUrl: config.databaseUrl,
          nodeName: config.nodeName,
          dataDir: config.dataDir,
          version,
          addresses: { amqp: `${config.host}:${config.amqpPort}`, http: `${config.host}:${config.httpPort}` },
          log: lines('cluster'),
          onNameLost: (message) => fail(message),
        })
      : null;
  const db = await openMetadataDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    log: lines('metadata'),
    applicationName: cluster?.name,
  });
  await cluster?.join();
  const access = new AccessControl();
  const users = new Users(db, access, { loopbackUsers: config.loopbackUsers, log: lines('auth') });
  await users.load(config.defaultUser);
  const journeys = JourneyLog.open(path.join(config.dataDir, 'journeys'), {
    maxEvents: config.journeyMaxEvents,
    maxAgeMs: config.journeyMaxAgeMs,
    log: lines('journeys'),
  });
  // Durable state comes back before any client can connect.
  const { broker, store, journalDamage } = await openDurableBroker({
    journeys,
    dataDir: config.dataDir,
    db,
    nodeName: config.nodeName,
    streams: new FileStreamStorage(path.join(config.dataDir, 'streams')),
    access,
    journal: { reserve },
    wrapStore: cluster ? (own) => cluster.messageStore(own) : undefined,
    log: lines('recovery'),
    onFault: (what, error) => logger.error({ module: 'broker', err: error }, what),
  });

  await cluster?.run({ broker, store, users }, () => ({ connections: clientCount(broker), memoryBytes: process.memoryUsage().rss }));

  if (config.definitionsFile !== undefined) {
    console.log(await loadDefinitionsAtStart({ broker, users, version }, config.definitionsFile, settingName('definitions')));
  }

  const byUsers = async (name: string, password: string, peer: string) => (await users.authenticate(name, password, peer)).ok;
  // In a cluster, the other nodes' links log in too (cluster:<node>, the cluster secret).
  const authenticate = cluster
    ? (name: string, password: string, peer: string) => cluster.authenticate(name, password, () => byUsers(name, password, peer))
    : byUsers;
  const amqp = await startAmqpServer({
    broker,
    host: config.host,
    port: config.amqpPort,
    authenticate,
    memoryHighWatermarkBytes: config.memoryHighWatermarkBytes,
    maxConnections: config.amqpMaxConnections,
    maxConnectionsPerAddress: config.amqpMaxConnectionsPerAddress,
    capSettings: { total: settingName('amqpMaxConnections'), perAddress: settingName('amqpMaxConnectionsPerAddress') },
    tls: config.tls && { files: config.tls, port: config.amqpsPort },
    log: lines('amqp'),
    logger: logger.child({ module: 'amqp' }),
    claims: cluster?.claims,
  }).catch((err) =>
    fail(
      err instanceof AmqpsListenError
        ? describeListenError(err.cause, 'AMQPS', config.host, config.amqpsPort, settingName('amqpsPort'))
        : describeListenError(err, 'AMQP', config.host, config.amqpPort, settingName('amqpPort')),
    ),
  );

  const limit = config.diskFreeLimitBytes;
  // The AMQP server logs each alarm raised and cleared.
  const diskAlarm = new DiskAlarm(config.dataDir, limit, (raised, free) => amqp.setAlarm('disk', raised ? diskAlarmReason(free, limit) : null), lines('disk'));
  store.journal.watchDisk(diskAlarm);
  // In a cluster, losing PostgreSQL raises the 'database' alarm and, past the self-fence deadline, closes and refuses clients.
  cluster?.attachClients(amqp);

  const sampler = new ProcessSampler();
  sampler.start();
  const brokerSampler = new BrokerSampler(broker);
  const arrivals = keepArrivals(brokerSampler, config.dataDir, (error) => logger.warn({ module: 'metrics' }, `arrival times not saved: ${error.message}`));
  brokerSampler.start();
  const { history, alerts } = createMonitoring(broker, brokerSampler, db, config, lines('monitoring'));
  history.start();
  await alerts.start();
  const sessions = new Sessions();
  users.onDeleted = (name) => {
    broker.closeUserConnections(name, `user '${name}' is deleted`);
    sessions.forgetUser(name);
  };
  const services: Services = {
    broker,
    db,
    users,
    sessions,
    sampler,
    brokerSampler,
    history,
    alerts,
    version,
    nodeName: config.nodeName,
    startedAt,
    alarms: () => amqp.activeAlarms(),
    memory: () => amqp.memory(),
    journalDamage: journalDamage ?? undefined,
    listeners: { amqp: `${config.host}:${amqp.port}`, http: '' },
    processFaults,
    journalSyncLatency: store.journal.syncLatency,
    disk: () => ({ freeBytes: diskAlarm.freeBytes, limitBytes: limit }),
    journeys,
    logger,
    cluster: cluster ?? undefined,
  };
  // Every node's console lists this node's client connections, and may ask it to close one.
  cluster?.connections.attach({ rows: () => localConnectionRows(services), close: (id, reason) => broker.closeConnection(id, reason) });
  const pages = await createPagesHandler({ dir: root, dev: config.dev, hostname: config.host, port: config.httpPort });
  const http = await startHttpServer({
    host: config.host,
    port: config.httpPort,
    services: () => services,
    pages,
    settings: config,
    tls: config.tls,
    dev: config.dev,
    log: lines('http'),
    logger: logger.child({ module: 'http' }),
  }).catch((err) => fail(describeListenError(err, 'Console', config.host, config.httpPort, settingName('httpPort'))));
  services.listeners.http = `${config.host}:${http.port}`;
  cluster?.setAddresses(services.listeners);

  const shown = config.host.includes(':') ? `[${config.host}]` : config.host;
  const amqps = amqp.tlsPort === undefined ? '' : ` , AMQPS amqps://${shown}:${amqp.tlsPort}`;
  const consoleUrl = `${http.scheme}://${shown}:${http.port}/`;
  logger.info(
    { event: 'ready', version, console: consoleUrl, amqp: `amqp://${shown}:${amqp.port}`, dataDir: config.dataDir },
    `Warren ${version} ready: console ${consoleUrl} , AMQP amqp://${shown}:${amqp.port}${amqps} , data ${config.dataDir}`,
  );
  if (config.host !== 'localhost' && !isLoopback(config.host) && (await onlyGuest(db))) {
    logger.warn(
      `warning: listening on ${config.host}, so other machines can reach Warren, but the only user is guest, who may connect from this machine only: create another user for them.`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'stopping', signal }, `Warren stopping (${signal})`);
    sampler.stop();
    brokerSampler.stop();
    arrivals.stop();
    await alerts.stop();
    await history.stop();
    await http.close();
    diskAlarm.stop();
    await amqp.close();
    await cluster?.leave();
    broker.close();
    await journeys.close();
    // The journal's last sync; on a full disk it may not get everything written, and says what.
    await store.close().catch((error: Error) => logger.error({ module: 'journal' }, error.message));
    await db.close();
    unlockDataDir();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) =>
  fail(
    err instanceof ConfigError ||
      err instanceof ClusterError ||
      err instanceof MetadataDbError ||
      err instanceof DataDirInUseError ||
      err instanceof DefinitionsLoadError
      ? err.message
      : ((err as Error)?.stack ?? String(err)),
  ),
);
