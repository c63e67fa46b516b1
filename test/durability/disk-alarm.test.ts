import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { Broker } from '../../server/broker/broker';
import { startAmqpServer } from '../../server/amqp/server';
import { waitFor } from '../amqp/helpers';
import { statfsSync } from 'node:fs';
import { DiskAlarm } from '../../server/store/disk-alarm';
import { makeDataDir, spawnBroker } from './support';
import { cleanupAfterEach } from './cleanup';

// Below the free-space limit publishers are blocked (connection.blocked),
// never failed: their messages wait in the socket and are taken once the
// alarm clears.

const cleanup = cleanupAfterEach();

describe('disk free-space alarm', () => {
  it('blocks a publisher of a broker whose disk has less free space than the limit', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const running = await spawnBroker(data.dir, { diskFreeLimitBytes: 1e18 }); // no disk has an exabyte free
    const conn = await amqp.connect(running.url);
    conn.on('error', () => {});
    cleanup.push(() => conn.close().catch(() => {}));
    cleanup.push(() => running.kill()); // first: a blocked connection cannot finish its close handshake
    const reasons: string[] = [];
    conn.on('blocked', (reason: string) => reasons.push(reason));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('q', { durable: true });
    // As in RabbitMQ, the first publish shows the connection is a publisher and blocks it after that one.
    ch.sendToQueue('q', Buffer.from('first'), { persistent: true });
    await waitFor(() => reasons.length > 0, 5000, 'connection.blocked');
    expect(reasons[0]).toMatch(/^low on disk: \d+ MiB free, limit \d+ MiB$/);
    let confirmed = false;
    ch.sendToQueue('q', Buffer.from('held back'), { persistent: true }, () => (confirmed = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(confirmed).toBe(false);
  });

  it('keeps publishers blocked while any alarm is raised, and takes their messages once all clear', async () => {
    const broker = new Broker();
    const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0, memoryHighWatermarkBytes: 0 });
    cleanup.push(() => void broker.close());
    cleanup.push(() => server.close());
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}`);
    conn.on('error', () => {});
    cleanup.push(() => conn.close().catch(() => {}));
    const events: string[] = [];
    conn.on('blocked', (reason: string) => events.push(`blocked ${reason}`));
    conn.on('unblocked', () => events.push('unblocked'));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('q');
    ch.sendToQueue('q', Buffer.from('first'));
    await ch.waitForConfirms(); // now a publisher

    server.setAlarm('disk', 'low on disk: 1 MiB free, limit 50 MiB');
    server.setPublishersBlocked('maintenance');
    await waitFor(() => events.length > 0, 2000, 'connection.blocked');
    let confirmed = false;
    ch.sendToQueue('q', Buffer.from('second'), {}, () => (confirmed = true));
    server.setPublishersBlocked(null);
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toEqual(['blocked low on disk: 1 MiB free, limit 50 MiB']);
    expect(confirmed).toBe(false);

    server.setAlarm('disk', null);
    await waitFor(() => confirmed, 2000, 'the held-back publish to be confirmed');
    expect(events).toEqual(['blocked low on disk: 1 MiB free, limit 50 MiB', 'unblocked']);
    expect(broker.getQueue('/', 'q').ready).toBe(2);
  });

  it('counts journal writes against the last free figure, so it fires before the next check would see the disk low', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const stats = statfsSync(data.dir);
    const limit = stats.bavail * stats.bsize - 100_000_000; // 100 MB above the limit now
    const changes: string[] = [];
    const alarm = new DiskAlarm(
      data.dir,
      limit,
      (raised) => changes.push(raised ? 'raised' : 'cleared'),
      () => {},
      60_000,
    );
    cleanup.push(() => alarm.stop());
    await new Promise((r) => setTimeout(r, 50)); // the first check
    alarm.written(60_000_000);
    expect(changes).toEqual([]);
    alarm.written(60_000_000); // 120 MB since the check: below the limit by the count
    expect(changes).toEqual(['raised']);
    await waitFor(() => changes.length === 2, 2000, 'the check it started'); // nothing was really written
    expect(changes).toEqual(['raised', 'cleared']);
    alarm.outOfSpace(true); // the journal's write failed for want of space: raised whatever statfs says
    expect(changes).toEqual(['raised', 'cleared', 'raised']);
    await new Promise((r) => setTimeout(r, 50));
    expect(changes).toHaveLength(3);
    alarm.outOfSpace(false);
    await waitFor(() => changes.length === 4, 2000, 'the alarm to clear');
  });

  it('reads its limit from WARREN_DISK_FREE_LIMIT or --disk-free-limit, 50 MB by default', () => {
    expect(loadConfig([], {}).diskFreeLimitBytes).toBe(50_000_000);
    expect(loadConfig([], { WARREN_DISK_FREE_LIMIT: '2GB' }).diskFreeLimitBytes).toBe(2_000_000_000);
    expect(loadConfig(['--disk-free-limit', '512MiB'], { WARREN_DISK_FREE_LIMIT: '1GB' }).diskFreeLimitBytes).toBe(512 * 1024 * 1024);
    expect(() => loadConfig([], { WARREN_DISK_FREE_LIMIT: 'lots' })).toThrow(/WARREN_DISK_FREE_LIMIT \(or --disk-free-limit\) "lots"/);
  });
});
