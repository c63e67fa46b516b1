import { createServer, type Server, type Socket } from 'node:net';
import { totalmem } from 'node:os';
import type { Broker } from '../broker/broker';
import { AmqpConnection, type ServerContext } from './connection';
import { DirectReplyTo } from './direct-reply-to';
import { guestFromLoopback, type Authenticate } from './handshake';
import { MemoryAlarm, memoryAlarmReason, type MemoryReading } from './memory-alarm';

/** The AMQP 0-9-1 listener: accepts sockets and gives each its AmqpConnection. */

export interface AmqpServerOptions {
  broker: Broker;
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
}

export interface AmqpServerHandle {
  port: number;
  /** Sends connection.close 320 to every client and stops listening. */
  close(): Promise<void>;
  /** Blocks publishing connections (connection.blocked) with a reason, or unblocks them (null). */
  setPublishersBlocked(reason: string | null): void;
  /**
   * Raises (reason) or clears (null) one named alarm, e.g. 'disk'. Publishers
   * stay blocked while any alarm (memory, disk, setPublishersBlocked) is raised.
   */
  setAlarm(source: string, reason: string | null): void;
  /** The alarms raised now (memory, disk, manual), each with its reason: publishers are blocked while any is. */
  activeAlarms(): { source: string; reason: string }[];
  /** Open client connections. */
  readonly connectionCount: number;
  /** What the memory alarm measures now, with its marks; null when it is off. */
  memory(): MemoryReading | null;
}

const DEFAULT_FRAME_MAX = 131072;
const DEFAULT_HEARTBEAT = 60;
const CHANNEL_MAX = 2047;
const SHUTDOWN_GRACE_MS = 2000;
const DEFAULT_MEMORY_FRACTION = 0.4;

export async function startAmqpServer(opts: AmqpServerOptions): Promise<AmqpServerHandle> {
  const connections = new Set<AmqpConnection>();
  const context: ServerContext = {
    broker: opts.broker,
    authenticate: opts.authenticate ?? guestFromLoopback,
    frameMax: opts.frameMax ?? DEFAULT_FRAME_MAX,
    heartbeat: opts.heartbeat ?? DEFAULT_HEARTBEAT,
    channelMax: CHANNEL_MAX,
    directReplyTo: new DirectReplyTo(),
    blockedReason: null,
    forget: (conn) => connections.delete(conn),
  };
  const accept = (socket: Socket) => connections.add(new AmqpConnection(socket, context));

  // 'localhost' means both loopbacks; '::' is dual-stack on its own.
  const hosts = opts.host === 'localhost' ? ['127.0.0.1', '::1'] : [opts.host];
  const servers: Server[] = [];
  let port = opts.port;
  for (const [i, host] of hosts.entries()) {
    const server = createServer({ noDelay: true }, accept);
    try {
      port = await listen(server, host, port);
      servers.push(server);
    } catch (err) {
      if (i === 0) throw err;
      // A second loopback the machine lacks (no IPv6) is not fatal.
    }
  }

  const alarms = new Map<string, string>();
  const setAlarm = (source: string, reason: string | null) => {
    if (reason === null) alarms.delete(source);
    else alarms.set(source, reason);
    const blockedReason = alarms.size === 0 ? null : [...alarms.values()].join('; ');
    if (blockedReason === context.blockedReason) return;
    context.blockedReason = blockedReason;
    for (const conn of connections) conn.alarmChanged();
  };
  const setPublishersBlocked = (reason: string | null) => setAlarm('manual', reason);
  const watermark = opts.memoryHighWatermarkBytes ?? Math.round(totalmem() * DEFAULT_MEMORY_FRACTION);
  const alarm =
    watermark > 0
      ? new MemoryAlarm(
          watermark,
          () => opts.broker.queuedBytesInMemory(),
          (raised, reading) => setAlarm('memory', raised ? memoryAlarmReason(reading) : null),
        )
      : undefined;

  return {
    port,
    setPublishersBlocked,
    setAlarm,
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

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
