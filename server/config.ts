/**
 * Settings of one Warren process, read from the environment and from command-line
 * flags (a flag wins over the environment). A bad value stops start-up with one
 * line that names the setting to change.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createSecureContext } from 'node:tls';

export interface Config {
  amqpPort: number;
  httpPort: number;
  host: string;
  dataDir: string;
  /** `file:` or `postgresql:` URL; undefined means the SQLite file in the data directory. */
  databaseUrl: string | undefined;
  nodeName: string;
  /** Run the console through Next.js's development server (hot reload). */
  dev: boolean;
  /** Below this much free space on the data directory's disk, publishers are blocked. */
  diskFreeLimitBytes: number;
  /** Memory in use above which publishers are blocked (0: never), as RabbitMQ's vm_memory_high_watermark. */
  memoryHighWatermarkBytes: number;
  /** The administrator a fresh metadata database gets (guest/guest unless set). */
  defaultUser: { name: string; password: string };
  /** Users who may only connect from loopback (RabbitMQ's loopback_users). */
  loopbackUsers: string[];
  /** Certificate and key (PEM) for AMQPS and an HTTPS console; `ca` also asks AMQPS clients for certificates signed by it. */
  tls: TlsFiles | undefined;
  amqpsPort: number;
  /** Caps on open sockets (0: none): AMQP and AMQPS together, and the console port. */
  amqpMaxConnections: number;
  amqpMaxConnectionsPerAddress: number;
  httpMaxConnections: number;
  httpMaxConnectionsPerAddress: number;
  /** Largest request body a signed-in console user may send (the API's JSON). */
  httpMaxBodyBytes: number;
  /** Largest definitions file a console user may upload (the import and its preview). */
  definitionsMaxBodyBytes: number;
  /** Largest JSON-lines file (or part of one) a console user may upload into a queue or an exchange; it is read as it arrives. */
  importMaxBodyBytes: number;
  /** A definitions file (RabbitMQ's format) loaded at start-up, as RabbitMQ's load_definitions. */
  definitionsFile: string | undefined;
  /** Request bodies being received at once; the next is answered 503. */
  httpMaxBodiesInFlight: number;
  /** Time a client has to send its request headers, and its whole request. */
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  /** Host names, besides localhost, IP addresses and this machine's name, that the console answers to. */
  httpAllowedHosts: string[];
  /** When set, /metrics and /metrics/per-object answer only requests bearing this token. */
  metricsToken: string | undefined;
  /** The lowest level logged: fatal, error, warn, info, debug, trace or silent. */
  logLevel: LogLevel;
  /** Journey events kept in the trace log: at most this many, none older than the age. */
  journeyMaxEvents: number;
  journeyMaxAgeMs: number;
  /** Days the metric history keeps its 1-minute points. */
  historyRetentionDays: number;
  /** How often alert rules are evaluated. */
  alertIntervalMs: number;
  /** Time a webhook has to answer one notification, retries after the first attempt, and notifications pending at most. */
  webhookTimeoutMs: number;
  webhookRetries: number;
  webhookMaxQueued: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
}

export class ConfigError extends Error {}

interface Setting {
  env: string;
  flag: string;
}

const SETTINGS = {
  amqpPort: { env: 'AMQP_PORT', flag: '--amqp-port' },
  httpPort: { env: 'PORT', flag: '--port' },
  host: { env: 'HOST', flag: '--host' },
  dataDir: { env: 'WARREN_DATA_DIR', flag: '--data-dir' },
  databaseUrl: { env: 'DATABASE_URL', flag: '--database-url' },
  nodeName: { env: 'WARREN_NODE_NAME', flag: '--node-name' },
  diskFreeLimit: { env: 'WARREN_DISK_FREE_LIMIT', flag: '--disk-free-limit' },
  memoryHighWatermark: { env: 'WARREN_MEMORY_HIGH_WATERMARK', flag: '--memory-high-watermark' },
  defaultUser: { env: 'WARREN_DEFAULT_USER', flag: '--default-user' },
  defaultPass: { env: 'WARREN_DEFAULT_PASS', flag: '--default-pass' },
  loopbackUsers: { env: 'WARREN_LOOPBACK_USERS', flag: '--loopback-users' },
  tlsCert: { env: 'WARREN_TLS_CERT', flag: '--tls-cert' },
  tlsKey: { env: 'WARREN_TLS_KEY', flag: '--tls-key' },
  tlsCa: { env: 'WARREN_TLS_CA', flag: '--tls-ca' },
  amqpsPort: { env: 'AMQPS_PORT', flag: '--amqps-port' },
  amqpMaxConnections: { env: 'WARREN_AMQP_MAX_CONNECTIONS', flag: '--amqp-max-connections' },
  amqpMaxConnectionsPerAddress: { env: 'WARREN_AMQP_MAX_CONNECTIONS_PER_ADDRESS', flag: '--amqp-max-connections-per-address' },
  httpMaxConnections: { env: 'WARREN_HTTP_MAX_CONNECTIONS', flag: '--http-max-connections' },
  httpMaxConnectionsPerAddress: { env: 'WARREN_HTTP_MAX_CONNECTIONS_PER_ADDRESS', flag: '--http-max-connections-per-address' },
  httpMaxBody: { env: 'WARREN_HTTP_MAX_BODY', flag: '--http-max-body' },
  definitionsMaxBody: { env: 'WARREN_DEFINITIONS_MAX_BODY', flag: '--definitions-max-body' },
  importMaxBody: { env: 'WARREN_IMPORT_MAX_BODY', flag: '--import-max-body' },
  definitions: { env: 'WARREN_DEFINITIONS', flag: '--definitions' },
  httpMaxBodiesInFlight: { env: 'WARREN_HTTP_MAX_BODIES_IN_FLIGHT', flag: '--http-max-bodies-in-flight' },
  httpHeadersTimeout: { env: 'WARREN_HTTP_HEADERS_TIMEOUT', flag: '--http-headers-timeout' },
  httpRequestTimeout: { env: 'WARREN_HTTP_REQUEST_TIMEOUT', flag: '--http-request-timeout' },
  httpAllowedHosts: { env: 'WARREN_HTTP_ALLOWED_HOSTS', flag: '--http-allowed-hosts' },
  metricsToken: { env: 'WARREN_METRICS_TOKEN', flag: '--metrics-token' },
  logLevel: { env: 'WARREN_LOG_LEVEL', flag: '--log-level' },
  journeyMaxEvents: { env: 'WARREN_JOURNEY_MAX_EVENTS', flag: '--journey-max-events' },
  journeyMaxAge: { env: 'WARREN_JOURNEY_MAX_AGE', flag: '--journey-max-age' },
  historyRetention: { env: 'WARREN_HISTORY_RETENTION_DAYS', flag: '--history-retention-days' },
  alertInterval: { env: 'WARREN_ALERT_INTERVAL', flag: '--alert-interval' },
  webhookTimeout: { env: 'WARREN_WEBHOOK_TIMEOUT', flag: '--webhook-timeout' },
  webhookRetries: { env: 'WARREN_WEBHOOK_RETRIES', flag: '--webhook-retries' },
  webhookQueue: { env: 'WARREN_WEBHOOK_QUEUE', flag: '--webhook-queue' },
} satisfies Record<string, Setting>;

/** How a person changes a setting, for error messages: "AMQP_PORT (or --amqp-port)". */
export function settingName(key: keyof typeof SETTINGS): string {
  const s = SETTINGS[key];
  return `${s.env} (or ${s.flag})`;
}

function parseFlags(argv: string[]): { values: Map<string, string>; dev: boolean } {
  const values = new Map<string, string>();
  let dev = false;
  const known = new Set(Object.values(SETTINGS).map((s) => s.flag));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dev') {
      dev = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!known.has(flag)) {
      throw new ConfigError(`Unknown option "${arg}". Known options: ${[...known, '--dev'].join(', ')}`);
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`Option ${flag} needs a value, e.g. ${flag}=...`);
    values.set(flag, value);
  }
  return { values, dev };
}

type SettingKey = keyof typeof SETTINGS;

function parsePort(raw: string, key: 'amqpPort' | 'httpPort' | 'amqpsPort'): number {
  const port = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`Invalid ${settingName(key)} "${raw}": give a port number from 0 to 65535 (0 picks a free one).`);
  }
  return port;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size such as 50MB, 1GiB or 1000000 (bytes). */
function parseBytes(raw: string, key: SettingKey): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined; // the group always takes part
  if (!match || unit === undefined) {
    throw new ConfigError(`Invalid ${settingName(key)} "${raw}": give a size such as 50MB, 2GB or 1GiB (bytes without a unit).`);
  }
  return Math.round(Number(match[1]) * unit);
}

/** RabbitMQ's vm_memory_high_watermark: a fraction of RAM such as 0.4, or an absolute size such as 2GB. */
function parseMemoryWatermark(raw: string, totalMemory: number): number {
  if (/^(0|0?\.\d+|1(\.0*)?)$/.test(raw.trim())) return Math.round(Number(raw) * totalMemory);
  try {
    return parseBytes(raw, 'memoryHighWatermark');
  } catch {
    throw new ConfigError(
      `Invalid ${settingName('memoryHighWatermark')} "${raw}": give a fraction of RAM from 0 to 1 such as 0.4, or a size such as 2GB or 512MiB (0 disables the alarm).`,
    );
  }
}

/** A whole number from 0 up (0 meaning "no cap" where the setting says so). */
function parseCount(raw: string, key: SettingKey): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`Invalid ${settingName(key)} "${raw}": give a whole number such as 64 (0 for no cap).`);
  return Number(raw);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 10s, 500ms, 2m, 24h or 7d. */
function parseDuration(raw: string, key: SettingKey): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(raw.trim());
  if (!match || Number(match[1]) <= 0) throw new ConfigError(`Invalid ${settingName(key)} "${raw}": give a duration such as 10s, 500ms or 2m.`);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!]!); // the pattern allows only the table's units
}

/** The trace log keeps at least one event: a cap of 0 would be tracing that records nothing. */
function parseJourneyMaxEvents(raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
    throw new ConfigError(`Invalid ${settingName('journeyMaxEvents')} "${raw}": give a whole number of events from 1 up, such as 100000.`);
  }
  return Number(raw);
}

function readTlsFile(file: string, key: SettingKey): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`Cannot read ${settingName(key)} "${file}": ${(err as Error).message}. Give the path of a PEM file.`);
  }
}

function loadTls(certFile: string | undefined, keyFile: string | undefined, caFile: string | undefined): TlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined) {
    if (caFile !== undefined) throw new ConfigError(`${settingName('tlsCa')} needs ${settingName('tlsCert')} and ${settingName('tlsKey')} as well.`);
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError(`TLS needs both ${settingName('tlsCert')} and ${settingName('tlsKey')}; only ${certFile ? 'the certificate' : 'the key'} is set.`);
  }
  const tls = {
    cert: readTlsFile(certFile, 'tlsCert'),
    key: readTlsFile(keyFile, 'tlsKey'),
    ca: caFile === undefined ? undefined : readTlsFile(caFile, 'tlsCa'),
  };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new ConfigError(
      `Cannot use ${settingName('tlsCert')} "${certFile}" with ${settingName('tlsKey')} "${keyFile}": ${(err as Error).message}. Give a PEM certificate and its own private key.`,
    );
  }
  return tls;
}

/** The process's limit on open file descriptors (Node raises the soft limit to the hard one at start), or undefined when unknown. */
export function openFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return line ? Number(line[1]) : undefined;
  } catch {
    return undefined;
  }
}

const AMQP_MAX_CONNECTIONS_CEILING = 65_536;
/** File descriptors kept for what is not an AMQP connection besides the console's sockets: journal segments, the database, Next.js. */
const FD_RESERVE = 1024;

/**
 * RabbitMQ has no connection cap by default and lets the file-descriptor limit
 * decide; here running out of descriptors would also stop the console and the
 * journal, so AMQP gets what the limit leaves after the console's cap and a
 * reserve for files (at least half of the limit), and at most 65,536.
 */
function defaultAmqpMaxConnections(fdLimit: number | undefined, httpMaxConnections: number): number {
  if (fdLimit === undefined) return AMQP_MAX_CONNECTIONS_CEILING;
  return Math.min(AMQP_MAX_CONNECTIONS_CEILING, Math.max(fdLimit - httpMaxConnections - FD_RESERVE, Math.floor(fdLimit / 2)));
}

export function loadConfig(argv: string[], env: Record<string, string | undefined>, fdLimit = openFileLimit()): Config {
  const { values, dev } = parseFlags(argv);
  const get = (key: keyof typeof SETTINGS): string | undefined => {
    const s = SETTINGS[key];
    const v = values.get(s.flag) ?? env[s.env];
    return v === undefined || v === '' ? undefined : v;
  };

  const databaseUrl = get('databaseUrl');
  if (databaseUrl !== undefined && !/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(`Invalid ${settingName('databaseUrl')} "${databaseUrl}": use file:/path/to/warren.db or postgresql://user:password@host:5432/db.`);
  }
  const host = get('host') ?? 'localhost';
  if (/\s/.test(host)) throw new ConfigError(`Invalid ${settingName('host')} "${host}": give an address such as 127.0.0.1, :: or 0.0.0.0.`);

  const defaultUser = get('defaultUser') ?? 'guest';
  const defaultPass = get('defaultPass') ?? (defaultUser === 'guest' ? 'guest' : undefined);
  if (defaultPass === undefined) {
    throw new ConfigError(`${settingName('defaultUser')} is "${defaultUser}" but ${settingName('defaultPass')} is not set: give that user's password too.`);
  }
  if (defaultUser.length > 255) throw new ConfigError(`Invalid ${settingName('defaultUser')}: a user name is at most 255 characters.`);
  const loopback = get('loopbackUsers') ?? 'guest';
  // "none", as in RabbitMQ's loopback_users.none, lets every user connect from anywhere.
  const loopbackUsers =
    loopback.trim() === 'none'
      ? []
      : loopback
          .split(',')
          .map((u) => u.trim())
          .filter((u) => u !== '');
  const httpMaxConnections = parseCount(get('httpMaxConnections') ?? '1024', 'httpMaxConnections');
  const httpHeadersTimeoutMs = parseDuration(get('httpHeadersTimeout') ?? '10s', 'httpHeadersTimeout');
  const httpRequestTimeoutMs = parseDuration(get('httpRequestTimeout') ?? '30s', 'httpRequestTimeout');
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new ConfigError(
      `${settingName('httpHeadersTimeout')} (${httpHeadersTimeoutMs} ms) must not be longer than ${settingName('httpRequestTimeout')} (${httpRequestTimeoutMs} ms).`,
    );
  }
  const definitionsFile = get('definitions');
  if (definitionsFile !== undefined && !fs.existsSync(definitionsFile)) {
    throw new ConfigError(
      `Cannot read ${settingName('definitions')} "${definitionsFile}": no such file. Give the path of a definitions file (JSON, as rabbitmqctl export_definitions writes it).`,
    );
  }
  const allowedHosts = get('httpAllowedHosts') ?? '';
  const httpAllowedHosts = allowedHosts
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  if (httpAllowedHosts.some((h) => !/^[a-z0-9.-]+$/.test(h))) {
    throw new ConfigError(
      `Invalid ${settingName('httpAllowedHosts')} "${allowedHosts}": give host names separated by commas, e.g. warren.example.com,broker.internal.`,
    );
  }

  const metricsToken = get('metricsToken');
  if (metricsToken !== undefined && !/^[\x21-\x7e]+$/.test(metricsToken)) {
    throw new ConfigError(
      `Invalid ${settingName('metricsToken')}: a bearer token is printable ASCII without spaces, e.g. one made with "openssl rand -hex 32".`,
    );
  }
  const logLevel = (get('logLevel') ?? 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`Invalid ${settingName('logLevel')} "${get('logLevel')}": give one of ${LOG_LEVELS.join(', ')}.`);
  }

  const historyRetentionDays = parseCount(get('historyRetention') ?? '7', 'historyRetention');
  if (historyRetentionDays < 1 || historyRetentionDays > 366) {
    throw new ConfigError(`Invalid ${settingName('historyRetention')} "${historyRetentionDays}": give a number of days from 1 to 366, e.g. 7.`);
  }
  const webhookMaxQueued = parseCount(get('webhookQueue') ?? '1000', 'webhookQueue');
  if (webhookMaxQueued < 1) throw new ConfigError(`Invalid ${settingName('webhookQueue')} "0": give how many notifications may wait, e.g. 1000.`);

  return {
    amqpPort: parsePort(get('amqpPort') ?? '5672', 'amqpPort'),
    httpPort: parsePort(get('httpPort') ?? '15672', 'httpPort'),
    host,
    dataDir: path.resolve(get('dataDir') ?? 'data'),
    databaseUrl,
    nodeName: get('nodeName') ?? `warren@${os.hostname()}`,
    dev: dev || env.WARREN_DEV === '1',
    diskFreeLimitBytes: parseBytes(get('diskFreeLimit') ?? '50MB', 'diskFreeLimit'),
    memoryHighWatermarkBytes: parseMemoryWatermark(get('memoryHighWatermark') ?? '0.4', os.totalmem()),
    defaultUser: { name: defaultUser, password: defaultPass },
    loopbackUsers,
    tls: loadTls(get('tlsCert'), get('tlsKey'), get('tlsCa')),
    amqpsPort: parsePort(get('amqpsPort') ?? '5671', 'amqpsPort'),
    amqpMaxConnections: parseCount(get('amqpMaxConnections') ?? String(defaultAmqpMaxConnections(fdLimit, httpMaxConnections)), 'amqpMaxConnections'),
    // As RabbitMQ: no per-address cap on AMQP (many applications share one host or NAT).
    amqpMaxConnectionsPerAddress: parseCount(get('amqpMaxConnectionsPerAddress') ?? '0', 'amqpMaxConnectionsPerAddress'),
    httpMaxConnections,
    // A browser opens at most 6 connections to one host; 64 leaves room for several people behind one NAT or proxy.
    httpMaxConnectionsPerAddress: parseCount(get('httpMaxConnectionsPerAddress') ?? '64', 'httpMaxConnectionsPerAddress'),
    httpMaxBodyBytes: parseBytes(get('httpMaxBody') ?? '4MiB', 'httpMaxBody'),
    definitionsMaxBodyBytes: parseBytes(get('definitionsMaxBody') ?? '64MiB', 'definitionsMaxBody'),
    importMaxBodyBytes: parseBytes(get('importMaxBody') ?? '1GiB', 'importMaxBody'),
    definitionsFile: definitionsFile === undefined ? undefined : path.resolve(definitionsFile),
    httpMaxBodiesInFlight: parseCount(get('httpMaxBodiesInFlight') ?? '16', 'httpMaxBodiesInFlight'),
    httpHeadersTimeoutMs,
    httpRequestTimeoutMs,
    httpAllowedHosts,
    metricsToken,
    logLevel: logLevel as LogLevel,
    journeyMaxEvents: parseJourneyMaxEvents(get('journeyMaxEvents') ?? '100000'),
    journeyMaxAgeMs: parseDuration(get('journeyMaxAge') ?? '24h', 'journeyMaxAge'),
    historyRetentionDays,
    alertIntervalMs: parseDuration(get('alertInterval') ?? '5s', 'alertInterval'),
    webhookTimeoutMs: parseDuration(get('webhookTimeout') ?? '5s', 'webhookTimeout'),
    webhookRetries: parseCount(get('webhookRetries') ?? '3', 'webhookRetries'),
    webhookMaxQueued,
  };
}
