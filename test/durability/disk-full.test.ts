import { existsSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DISK_RESERVE_BYTES } from '../../server/store/disk-reserve';
import { waitFor } from '../amqp/helpers';
import { mountSmallDisk, smallDiskOrReport } from '../support/small-disk';
import { spawnBroker, type BrokerProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// A durable broker on a 64 MiB data directory (a tmpfs; needs root): a fast
// publisher is blocked by the disk alarm before the disk is full; with the
// disk then filled to the last byte by something else, consumers still
// drain, which frees space; publishing resumes once there is room; and a
// broker stopped on a full disk starts again and serves every confirmed
// message. No confirm is ever refused meanwhile.

const disk = smallDiskOrReport('the disk-full test', mountSmallDisk('64m'));
afterAll(() => disk?.unmount());

const cleanup = cleanupAfterEach();
const LIMIT = 16_000_000;
const BODY = 16 * 1024;
const body = (id: number) => {
  const b = Buffer.alloc(BODY, id % 251);
  b.writeUInt32BE(id, 0);
  return b;
};

describe.skipIf(!disk)('a full disk', () => {
  it('blocks publishers before it is full, drains at 0 bytes free, resumes, and restarts with every confirmed message', async () => {
    const dataDir = join(disk!.dir, 'data');
    const options = { diskFreeLimitBytes: LIMIT, segmentBytes: 1024 * 1024 };
    let running: BrokerProcess = await spawnBroker(dataDir, options);
    cleanup.push(() => running.kill());
    const fillers: string[] = [];
    cleanup.push(() => fillers.forEach((f) => existsSync(f) && unlinkSync(f)));
    const reserve = join(dataDir, 'disk-reserve');
    expect(statSync(reserve).size).toBe(DEFAULT_DISK_RESERVE_BYTES);

    // 1. As fast as confirms allow, until connection.blocked.
    const pubConn = await cleanup.connect(running.url);
    const events: string[] = [];
    let freeWhenBlocked = -1;
    pubConn.on('blocked', (reason: string) => {
      events.push(`blocked ${reason}`);
      freeWhenBlocked = disk!.free();
    });
    pubConn.on('unblocked', () => events.push('unblocked'));
    const pub = await pubConn.createConfirmChannel();
    await pub.assertQueue('fill', { durable: true });
    const confirmed = new Set<number>();
    const nacked = new Set<number>();
    let nextId = 0;
    let inFlight = 0;
    const publish = () => {
      const id = nextId++;
      inFlight++;
      pub.sendToQueue('fill', body(id), { persistent: true }, (error) => {
        inFlight--;
        (error ? nacked : confirmed).add(id);
      });
    };
    const started = Date.now();
    while (events.length === 0 && Date.now() - started < 30_000) {
      while (inFlight < 200) publish();
      await new Promise((r) => setImmediate(r));
    }
    expect(events[0]).toMatch(/^blocked low on disk: \d+ MiB free, limit 15 MiB$/);
    expect(freeWhenBlocked).toBeGreaterThan(4 * 1024 * 1024); // the alarm came before the disk was full
    await new Promise((r) => setTimeout(r, 500));
    expect(confirmed.size).toBeGreaterThan(1000);

    // 2. Something else fills the disk to the last byte; consumers drain anyway, and that frees space.
    fillers.push(disk!.fill());
    expect(disk!.free()).toBeLessThan(64 * 1024);
    const consumed = new Set<number>();
    const subConn = await cleanup.connect(running.url);
    const sub = await subConn.createChannel();
    await sub.prefetch(100);
    const { consumerTag } = await sub.consume('fill', (msg) => {
      if (!msg) return;
      const id = msg.content.readUInt32BE(0);
      expect(msg.content.equals(body(id))).toBe(true);
      consumed.add(id);
      sub.ack(msg);
    });
    await waitFor(() => consumed.size >= 800, 10_000, '800 messages drained on a full disk');
    await sub.cancel(consumerTag);
    await waitFor(() => disk!.free() > 4 * 1024 * 1024, 10_000, 'deleted segments to give space back');
    const log = running.output.join('\n');
    expect(log).toMatch(/journal: out of disk space; records wait in memory[\s\S]*journal: writing again/);
    expect(log).not.toMatch(/uncaught|unhandled/i);

    // 3. Room again: the alarm clears and held-back publishes are confirmed.
    unlinkSync(fillers.pop()!);
    await waitFor(() => events.includes('unblocked'), 10_000, 'connection.unblocked');
    await waitFor(() => inFlight === 0, 10_000, 'the held-back publishes to be confirmed');
    // The journal takes its reserve again once there is room (after a sync, at most once a second).
    await waitFor(
      async () => {
        publish();
        await new Promise((r) => setTimeout(r, 100));
        return existsSync(reserve) && statSync(reserve).size === DEFAULT_DISK_RESERVE_BYTES;
      },
      10_000,
      'the disk reserve to be created again',
    );
    await waitFor(() => inFlight === 0, 5000, 'the last confirms');
    expect(nacked.size).toBe(0);

    // 4. Full to the last byte again, stopped, started: every confirmed message is there.
    fillers.push(disk!.fill());
    expect(await running.stop()).toBe(0);
    running = await spawnBroker(dataDir, options);
    expect(running.output.join('\n')).toMatch(/gave back the disk reserve so that Warren can start/);
    const afterConn = await cleanup.connect(running.url);
    const after = await afterConn.createChannel();
    const remaining = confirmed.size - [...consumed].filter((id) => confirmed.has(id)).length;
    let again = 0;
    await after.consume('fill', (msg) => {
      if (!msg) return;
      const id = msg.content.readUInt32BE(0);
      expect(msg.content.equals(body(id))).toBe(true);
      if (!consumed.has(id)) again++;
      consumed.add(id);
      after.ack(msg);
    });
    await waitFor(() => again >= remaining, 10_000, `${remaining} confirmed messages after the restart`);
    expect([...confirmed].filter((id) => !consumed.has(id))).toEqual([]);
  });
});
