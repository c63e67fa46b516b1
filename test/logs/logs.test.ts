// The log as an operator reads it: one JSON object per line, with the fields
// that say who (user, peer, client name) and what (reply codes), and never a
// password or a message body. Real amqplib clients against a real server
// whose logger writes into the test.
import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAmqpServer, type AmqpServerHandle } from '../../server/amqp/server';
import { Users } from '../../server/auth/users';
import { AccessControl } from '../../server/broker/access/access-control';
import { Broker } from '../../server/broker/broker';
import { createLogger } from '../../server/log';
import { openMetadataDb } from '../../server/store/db';

/** A JSON logger as main.ts makes it, writing into `lines`. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', pretty: false, destination: { write: (line: string) => void lines.push(line) } });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('logs', () => {
  it('has one JSON line per connection opened and closed, and per channel error with its reply code; no body', async () => {
    const { logger, lines, entries } = capturedLogger();
    const broker = new Broker();
    const server: AmqpServerHandle = await startAmqpServer({ broker, host: '127.0.0.1', port: 0, logger });
    cleanups.push(
      () => broker.close(),
      () => server.close(),
    );

    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}`, { clientProperties: { connection_name: 'billing-worker' } });
    const ch = await conn.createChannel();
    await ch.assertQueue('invoices');
    ch.sendToQueue('invoices', Buffer.from('card 4111-1111-1111-1111'));
    const failing = await conn.createChannel();
    const closed = new Promise((resolve) => failing.once('error', resolve));
    failing.checkQueue('no-such-queue').catch(() => {});
    await closed;
    await conn.close();
    await new Promise((r) => setTimeout(r, 50));

    const opened = entries().filter((e) => e.event === 'connection.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ level: 'info', user: 'guest', vhost: '/', peer: '127.0.0.1', client: 'billing-worker' });
    expect(typeof opened[0]!.time).toBe('string');
    const error = entries().find((e) => e.event === 'channel.error');
    expect(error).toMatchObject({ level: 'warn', user: 'guest', client: 'billing-worker', channel: 2, replyCode: 404 });
    expect(error?.replyText).toContain("no queue 'no-such-queue' in vhost '/'");
    const closedLine = entries().filter((e) => e.event === 'connection.closed');
    expect(closedLine).toHaveLength(1);
    expect(closedLine[0]).toMatchObject({ user: 'guest', peer: '127.0.0.1', client: 'billing-worker', closedBy: 'client', replyCode: 200 });
    expect(lines.join('')).not.toContain('4111');
  });

  it('logs an alarm raised and cleared', async () => {
    const { logger, entries } = capturedLogger();
    const broker = new Broker();
    const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0, logger });
    cleanups.push(
      () => broker.close(),
      () => server.close(),
    );
    server.setAlarm('disk', 'free disk space 10MB is below the limit 50MB');
    server.setAlarm('disk', null);
    expect(entries().filter((e) => String(e.event).startsWith('alarm.'))).toMatchObject([
      { event: 'alarm.raised', level: 'warn', alarm: 'disk', reason: 'free disk space 10MB is below the limit 50MB' },
      { event: 'alarm.cleared', level: 'info', alarm: 'disk' },
    ]);
  });

  it('logs a refused sign-in with the user and address, never the password', async () => {
    const { logger, lines } = capturedLogger();
    const dir = mkdtempSync(join(tmpdir(), 'warren-logs-'));
    const db = await openMetadataDb({ dataDir: dir });
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => db.close(),
    );
    const auth = logger.child({ module: 'auth' });
    const users = new Users(db, new AccessControl(), { log: (line) => auth.info(line) });
    await users.load();
    expect((await users.authenticate('guest', 'Tr0ub4dor&3-wrong', '127.0.0.1')).ok).toBe(false);
    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => String(e.msg).startsWith('sign-in refused'));
    expect(refused).toMatchObject({ module: 'auth', level: 'info' });
    expect(refused?.msg).toContain("user 'guest' from 127.0.0.1");
    expect(lines.join('')).not.toContain('Tr0ub4dor');
  });
});
