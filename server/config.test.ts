import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig([], {});
    expect(c.amqpPort).toBe(5672);
    expect(c.httpPort).toBe(15672);
    expect(c.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe(path.resolve('data'));
    expect(c.databaseUrl).toBeUndefined();
  });

  it('takes flags over environment', () => {
    const c = loadConfig(['--amqp-port', '5673', '--port=8080'], { AMQP_PORT: '1', PORT: '2', HOST: '::' });
    expect(c.amqpPort).toBe(5673);
    expect(c.httpPort).toBe(8080);
    expect(c.host).toBe('::');
  });

  it('names the setting when a port is not a number', () => {
    expect(() => loadConfig([], { AMQP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig([], { AMQP_PORT: 'abc' })).toThrow(/AMQP_PORT \(or --amqp-port\) "abc"/);
    expect(() => loadConfig(['--port', '70000'], {})).toThrow(/PORT \(or --port\) "70000".*0 to 65535/);
  });

  it('refuses a database URL of another kind', () => {
    expect(() => loadConfig([], { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL.*postgresql:\/\//);
    expect(loadConfig([], { DATABASE_URL: 'postgresql://u:p@localhost/db' }).databaseUrl).toBe('postgresql://u:p@localhost/db');
  });

  it('takes the memory high-water mark as a fraction of RAM or a size, as RabbitMQ does', () => {
    expect(loadConfig([], {}).memoryHighWatermarkBytes).toBe(Math.round(os.totalmem() * 0.4));
    expect(loadConfig([], { WARREN_MEMORY_HIGH_WATERMARK: '0.25' }).memoryHighWatermarkBytes).toBe(Math.round(os.totalmem() * 0.25));
    expect(loadConfig(['--memory-high-watermark', '2GiB'], {}).memoryHighWatermarkBytes).toBe(2 * 1024 ** 3);
    expect(loadConfig([], { WARREN_MEMORY_HIGH_WATERMARK: '0' }).memoryHighWatermarkBytes).toBe(0);
    expect(() => loadConfig([], { WARREN_MEMORY_HIGH_WATERMARK: 'lots' })).toThrow(
      'Invalid WARREN_MEMORY_HIGH_WATERMARK (or --memory-high-watermark) "lots": give a fraction of RAM from 0 to 1 such as 0.4, or a size such as 2GB or 512MiB (0 disables the alarm).',
    );
  });

  it('refuses an unknown flag and lists the known ones', () => {
    expect(() => loadConfig(['--prot', '1'], {})).toThrow(/Unknown option "--prot".*--port/);
  });

  it('reads the default user, wants its password unless it is guest, and the loopback users', () => {
    expect(loadConfig([], {})).toMatchObject({ defaultUser: { name: 'guest', password: 'guest' }, loopbackUsers: ['guest'] });
    expect(loadConfig([], { WARREN_DEFAULT_USER: 'admin', WARREN_DEFAULT_PASS: 's3cret' }).defaultUser).toEqual({ name: 'admin', password: 's3cret' });
    expect(() => loadConfig([], { WARREN_DEFAULT_USER: 'admin' })).toThrow(/WARREN_DEFAULT_PASS \(or --default-pass\) is not set/);
    expect(loadConfig(['--loopback-users', 'guest, ops'], {}).loopbackUsers).toEqual(['guest', 'ops']);
    expect(loadConfig([], { WARREN_LOOPBACK_USERS: 'none' }).loopbackUsers).toEqual([]);
  });
});
