import type { DeclareClaims } from './declare-claims';
import { createServer, type Server, type Socket } from 'node:net';
import { totalmem } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import type { Broker } from '../broker/broker';
import type { TlsFiles } from '../config';
import { defaultLogger, type Logger } from '../log';
import { ConnectionGate, listenOn, logAcceptErrors } from '../listeners';
import { AmqpConnection, type ServerContext } from './connection';
import { DirectReplyTo } from './direct-reply-to';
import { guestFromLoopback, type Authenticate } from './handshake';
import { MemoryAlarm, memoryAlarmReason, type MemoryReading } from './memory-alarm';

/** The AMQP 0-9-1 listener (and AMQPS beside it): accepts sockets and gives each its AmqpConnection. */

export interface AmqpServerOptions {
  broker: Broker;
  /** 'localhost': both loopback addresses. */
  host: string;
  /** 0: an ephemeral port (the handle tells which). */
  port: number;
  /** Default: guest/guest from loopback only. */
  authenticate?: Authenticate;
  /** Largest frame offered in connection.tune (default 131072). */
  frameMax?: number;
  /** Heartbeat interval in seconds offered in connection.tune (default 60; 0 disables). */
  heartbeat?: number;
  /** Memory in use (heap plus queued bodies, memory-alarm.ts) above which publishing connections are blocked (default: 40% of RAM, as RabbitMQ; 0: never). */
  memoryHighWatermarkBytes?: number;
  /** Open sockets on AMQP and AMQPS together beyond which a new one is closed at once (default and 0: no cap). */
  maxConnections?: number;
  /** The same per client address (default and 0: no cap). */
  maxConnectionsPerAddress?: number;
  /** How a person changes the caps, for the log line (default: "the maxConnections option"). */
  capSettings?: { total: string; perAddress: string };
  /** An AMQPS listener with these TLS files; `ca` asks clients for a certificate signed by it. */
  tls?: { files: TlsFiles; port: number };
  /** Refused sockets and accept errors. */
  log?: (line: string) => void;
  /** Connections opened and closed, channel errors; default: the process's default logger. */
  logger?: Logger;
  /** Cluster mode: where new durable queues and exchanges are claimed before they are declared. */
  claims?: DeclareClaims;
}

export interface AmqpServerHandle {
  port: number;
  /** The AMQPS port, when TLS is on. */
  tlsPort: number | undefined;
  /** Sends connection.close 320 to every client and stops listening. */
  close(): Promise<void>;
  /** Blocks publishing connections (connection.blocked) with a reason, or unblocks them (null). */
  setPublishersBlocked(reason: string | null): void;
  /**
   * Raises (reason) or clears (null) one named alarm, e.g. 'disk'. Publishers
   * stay blocked while any alarm (memory, disk, setPublishersBlocked) is raised.
   */
  setAlarm(source: string, reason: string | null): void;
  /**
   * Closes every client connection with 320 `CONNECTION_FORCED - <reason>`
   * and answers new ones' connection.start-ok with it, until called with null
   * (a cluster node that lost its database).
   */
  refuseClients(reason: string | null): void;
  /** The alarms raised now (memory, disk, manual), each with its reason: publishers are blocked while any is. */
  activeAlarms(): { source: string; reason: string }[];
  /** Open client connections. */
  readonly connectionCount: number;
  /** What the memory alarm measures now, with its marks; null when it is off. */
  memory(): MemoryReading | null;
}

/** The AMQPS listener could not listen (the plain one could): `cause` is the listen error. */
export class AmqpsListenError extends Error {
  constructor(readonly cause: unknown) {
    super(`AMQPS cannot listen: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

const DEFAULT_FRAME_MAX = 131072;
const DEFAULT_HEARTBEAT = 60;
const CHANNEL_MAX = 2047;
const SHUTDOWN_GRACE_MS = 2000;
const DEFAULT_MEMORY_FRACTION = 0.4;
/** A TLS handshake not done by then is dropped, as an AMQP handshake is. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export async function startAmqpServer(opts: AmqpServerOptions): Promise<AmqpServerHandle> {
  const connections = new Set<AmqpConnection>();
  /** The memory alarm (below, once the listeners are open); undefined while there is none. */
  let alarm: MemoryAlarm | undefined;
  const context: ServerContext = {
    broker: opts.broker,
    authenticate: opts.authenticate ?? guestFromLoopback,
    frameMax: opts.frameMax ?? DEFAULT_FRAME_MAX,
    heartbeat: opts.heartbeat ?? DEFAULT_HEARTBEAT,
    channelMax: CHANNEL_MAX,
    directReplyTo: new DirectReplyTo(),
    blockedReason: null,
    refusedReason: null,
    busyReader: () => alarm?.checkHeap(),
    forget: (conn) => connections.delete(conn),
    logger: opts.logger ?? defaultLogger().child({ module: 'amqp' }),
    claims: opts.claims,
  };
  const accept = (socket: Socket) => connections.add(new AmqpConnection(socket, context));
  const log = opts.log ?? ((line: string) => console.log(line));
  const gate = new ConnectionGate(
    'AMQP',
    { total: opts.maxConnections ?? 0, perAddress: opts.maxConnectionsPerAddress ?? 0 },
    opts.capSettings ?? { total: 'the maxConnections option', perAddress: 'the maxConnectionsPerAddress option' },
    log,
  );
  // A socket beyond a cap is closed before its first byte is read.
  const admitted = (socket: Socket): boolean => {
    if (gate.admit(socket) === null) return true;
    socket.destroy();
    return false;
  };

  const makePlain = () =>
    createServer({ noDelay: true }, (socket) => {
      if (admitted(socket)) accept(socket);
    });
  const plain = await listenOn(makePlain, opts.host, opts.port);
  const servers: Server[] = [...plain.servers];
  let tlsPort: number | undefined;
  if (opts.tls) {
    const { files } = opts.tls;
    const makeTls = () => {
      const server = createTlsServer(
        {
          cert: files.cert,
          key: files.key,
          ca: files.ca,
          requestCert: files.ca !== undefined,
          rejectUnauthorized: files.ca !== undefined,
          handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
        },
        (socket) => {
          socket.setNoDelay(true);
          accept(socket);
        },
      );
      server.on('connection', admitted); // the raw socket, before the TLS handshake
      server.on('tlsClientError', (_err, socket) => socket.destroy()); // a failed handshake only concerns that client
      return server;
    };
    const secure = await listenOn(makeTls, opts.host, opts.tls.port).catch((err: unknown) => {
      for (const server of servers) server.close();
      throw new AmqpsListenError(err);
    });
    servers.push(...secure.servers);
    tlsPort = secure.port;
  }
  for (const server of servers) logAcceptErrors(server, 'AMQP', log);

  const alarms = new Map<string, string>();
  const setAlarm = (source: string, reason: string | null) => {
    const was = alarms.get(source);
    if (reason === null) alarms.delete(source);
    else alarms.set(source, reason);
    if (reason !== null && was === undefined)
      context.logger.warn({ event: 'alarm.raised', alarm: source, reason }, `${source} alarm: ${reason}, publishers blocked`);
    if (reason === null && was !== undefined) context.logger.info({ event: 'alarm.cleared', alarm: source }, `${source} alarm cleared`);
    const blockedReason = alarms.size === 0 ? null : [...alarms.values()].join('; ');
    if (blockedReason === context.blockedReason) return;
    context.blockedReason = blockedReason;
    for (const conn of connections) conn.alarmChanged();
  };
  const setPublishersBlocked = (reason: string | null) => setAlarm('manual', reason);
  const watermark = opts.memoryHighWatermarkBytes ?? Math.round(totalmem() * DEFAULT_MEMORY_FRACTION);
  alarm =
    watermark > 0
      ? new MemoryAlarm(
          watermark,
          () => opts.broker.queuedBytesInMemory(),
          (raised, reading) => setAlarm('memory', raised ? memoryAlarmReason(reading) : null),
        )
      : undefined;

  return {
    port: plain.port,
    tlsPort,
    setPublishersBlocked,
    setAlarm,
    refuseClients(reason) {
      if (reason === context.refusedReason) return;
      context.refusedReason = reason;
      if (reason === null) {
        context.logger.info({ event: 'clients.admitted' }, 'client connections are admitted again');
        return;
      }
      context.logger.warn({ event: 'clients.refused', reason }, `closing every client connection and refusing new ones: ${reason}`);
      for (const conn of connections) conn.close(320, `CONNECTION_FORCED - ${reason}`, 0, 0);
    },
    activeAlarms: () => [...alarms].map(([source, reason]) => ({ source, reason })),
    memory: () => alarm?.read() ?? null,
    get connectionCount() {
      return connections.size;
    },
    async close() {
      alarm?.stop();
      const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const conn of connections) conn.close(320, 'CONNECTION_FORCED - broker shutdown', 0, 0);
      const grace = setTimeout(() => {
        for (const conn of connections) conn.socket.destroy();
      }, SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(grace);
    },
  };
}
