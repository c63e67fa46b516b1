import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig([], {});
    expect(c.amqpPort).toBe(5672);
    expect(c.httpPort).toBe(15672);
    expect(c.host).toBe('localhost'); // both loopback addresses
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

  it('takes a definitions file to load at start-up, and the upload limit for definitions', () => {
    expect(loadConfig([], {}).definitionsFile).toBeUndefined();
    expect(loadConfig([], {}).definitionsMaxBodyBytes).toBe(64 * 1024 ** 2);
    const file = path.resolve('package.json');
    expect(loadConfig(['--definitions', 'package.json'], {}).definitionsFile).toBe(file);
    expect(loadConfig([], { WARREN_DEFINITIONS: file, WARREN_DEFINITIONS_MAX_BODY: '100MB' })).toMatchObject({
      definitionsFile: file,
      definitionsMaxBodyBytes: 100e6,
    });
    expect(() => loadConfig([], { WARREN_DEFINITIONS: '/nowhere/defs.json' })).toThrow(
      'Cannot read WARREN_DEFINITIONS (or --definitions) "/nowhere/defs.json": no such file. Give the path of a definitions file (JSON, as rabbitmqctl export_definitions writes it).',
    );
  });

  it('takes the upload limit for message imports', () => {
    expect(loadConfig([], {}).importMaxBodyBytes).toBe(1024 ** 3);
    expect(loadConfig(['--import-max-body', '2GB'], {}).importMaxBodyBytes).toBe(2e9);
    expect(() => loadConfig([], { WARREN_IMPORT_MAX_BODY: 'lots' })).toThrow(/WARREN_IMPORT_MAX_BODY \(or --import-max-body\) "lots"/);
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

  it('reads the HTTP limits and names the setting when one is wrong', () => {
    const c = loadConfig(['--http-max-body=8MB'], { WARREN_HTTP_HEADERS_TIMEOUT: '500ms', WARREN_HTTP_ALLOWED_HOSTS: 'Warren.Example.com, b.internal' });
    expect(c.httpMaxBodyBytes).toBe(8_000_000);
    expect(c.httpHeadersTimeoutMs).toBe(500);
    expect(c.httpRequestTimeoutMs).toBe(30_000);
    expect(c.httpAllowedHosts).toEqual(['warren.example.com', 'b.internal']);
    expect(() => loadConfig([], { WARREN_HTTP_MAX_CONNECTIONS_PER_ADDRESS: 'many' })).toThrow(
      /^Invalid WARREN_HTTP_MAX_CONNECTIONS_PER_ADDRESS \(or --http-max-connections-per-address\) "many": give a whole number/,
    );
    expect(() => loadConfig([], { WARREN_HTTP_HEADERS_TIMEOUT: '10' })).toThrow(/WARREN_HTTP_HEADERS_TIMEOUT.*a duration such as 10s/);
    expect(() => loadConfig([], { WARREN_HTTP_HEADERS_TIMEOUT: '1m' })).toThrow(/must not be longer than WARREN_HTTP_REQUEST_TIMEOUT/);
  });

  it('derives the AMQP connection cap from the file-descriptor limit, at most 65,536', () => {
    expect(loadConfig([], {}, 20_000).amqpMaxConnections).toBe(20_000 - 1024 - 1024);
    expect(loadConfig([], {}, 1024).amqpMaxConnections).toBe(512);
    expect(loadConfig([], {}, 1_048_576).amqpMaxConnections).toBe(65_536);
    expect(loadConfig([], { WARREN_AMQP_MAX_CONNECTIONS: '10' }, 20_000).amqpMaxConnections).toBe(10);
    expect(loadConfig([], {}).amqpMaxConnectionsPerAddress).toBe(0);
  });

  it('wants both a TLS certificate and a key, readable', () => {
    expect(loadConfig([], {}).tls).toBeUndefined();
    expect(() => loadConfig([], { WARREN_TLS_CERT: '/nonexistent/cert.pem' })).toThrow(/TLS needs both WARREN_TLS_CERT \(or --tls-cert\) and WARREN_TLS_KEY/);
    expect(() => loadConfig([], { WARREN_TLS_CERT: '/nonexistent/cert.pem', WARREN_TLS_KEY: '/nonexistent/key.pem' })).toThrow(
      /^Cannot read WARREN_TLS_CERT \(or --tls-cert\) "\/nonexistent\/cert.pem"/,
    );
  });

  it('turns cluster mode on from WARREN_CLUSTER or --cluster, only with a PostgreSQL DATABASE_URL', () => {
    const pg = 'postgresql://warren:warren@127.0.0.1:5432/warren';
    expect(loadConfig([], {}).cluster).toBe(false);
    expect(loadConfig([], { WARREN_CLUSTER: 'true', DATABASE_URL: pg }).cluster).toBe(true);
    expect(loadConfig(['--cluster', '--database-url', pg], {}).cluster).toBe(true);
    expect(loadConfig(['--cluster=false'], { WARREN_CLUSTER: 'true' }).cluster).toBe(false);
    expect(() => loadConfig([], { WARREN_CLUSTER: 'yes' })).toThrow(/^Invalid WARREN_CLUSTER \(or --cluster\) "yes": give true or false\.$/);
    expect(() => loadConfig(['--cluster'], {})).toThrow(
      /^WARREN_CLUSTER \(or --cluster\) needs DATABASE_URL \(or --database-url\) to name a PostgreSQL database \(postgresql:\/\/…\); it is not set/,
    );
    expect(() => loadConfig(['--cluster'], { DATABASE_URL: 'file:./warren.db' })).toThrow(/; it names a SQLite file\.$/);
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

  it('reads the log level and the metrics token, refusing what they cannot be', () => {
    expect(loadConfig([], {}).logLevel).toBe('info');
    expect(loadConfig(['--log-level', 'DEBUG'], {}).logLevel).toBe('debug');
    expect(() => loadConfig([], { WARREN_LOG_LEVEL: 'verbose' })).toThrow(
      /WARREN_LOG_LEVEL \(or --log-level\) "verbose": give one of fatal, error, warn, info, debug, trace, silent/,
    );
    expect(loadConfig([], {}).metricsToken).toBeUndefined();
    expect(loadConfig([], { WARREN_METRICS_TOKEN: 'a1b2c3' }).metricsToken).toBe('a1b2c3');
    expect(() => loadConfig([], { WARREN_METRICS_TOKEN: 'two words' })).toThrow(
      /WARREN_METRICS_TOKEN \(or --metrics-token\): a bearer token is printable ASCII without spaces/,
    );
  });
});
