/**
 * Settings of one Warren process, read from the environment and from command-line
 * flags (a flag wins over the environment). A bad value stops start-up with one
 * line that names the setting to change.
 */
import path from 'node:path';
import os from 'node:os';

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
    const arg = argv[i];
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

function parsePort(raw: string, key: 'amqpPort' | 'httpPort'): number {
  const port = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`Invalid ${settingName(key)} "${raw}": give a port number from 0 to 65535 (0 picks a free one).`);
  }
  return port;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size such as 50MB, 1GiB or 1000000 (bytes). */
function parseBytes(raw: string, key: 'diskFreeLimit' | 'memoryHighWatermark'): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
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

export function loadConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const { values, dev } = parseFlags(argv);
  const get = (key: keyof typeof SETTINGS): string | undefined => {
    const s = SETTINGS[key];
    const v = values.get(s.flag) ?? env[s.env];
    return v === undefined || v === '' ? undefined : v;
  };

  const databaseUrl = get('databaseUrl');
  if (databaseUrl !== undefined && !/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(
      `Invalid ${settingName('databaseUrl')} "${databaseUrl}": use file:/path/to/warren.db or postgresql://user:password@host:5432/db.`,
    );
  }
  const host = get('host') ?? '127.0.0.1';
  if (/\s/.test(host)) throw new ConfigError(`Invalid ${settingName('host')} "${host}": give an address such as 127.0.0.1, :: or 0.0.0.0.`);

  const defaultUser = get('defaultUser') ?? 'guest';
  const defaultPass = get('defaultPass') ?? (defaultUser === 'guest' ? 'guest' : undefined);
  if (defaultPass === undefined) {
    throw new ConfigError(`${settingName('defaultUser')} is "${defaultUser}" but ${settingName('defaultPass')} is not set: give that user's password too.`);
  }
  if (defaultUser.length > 255) throw new ConfigError(`Invalid ${settingName('defaultUser')}: a user name is at most 255 characters.`);
  const loopback = get('loopbackUsers') ?? 'guest';
  // "none", as in RabbitMQ's loopback_users.none, lets every user connect from anywhere.
  const loopbackUsers = loopback.trim() === 'none' ? [] : loopback.split(',').map((u) => u.trim()).filter((u) => u !== '');

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
  };
}
