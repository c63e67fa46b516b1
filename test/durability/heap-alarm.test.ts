import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { cleanupAfterEach } from './cleanup';
import { makeDataDir, spawnBroker } from './support';

// Small transient messages fill the V8 heap long before resident memory
// reaches any fraction of RAM: the broker once died of "JavaScript heap out
// of memory" with no connection.blocked sent. Here a broker with a 160 MiB
// heap (and the default 40%-of-RAM watermark, far away) must block the
// publisher from its heap measure, stay up, and let a consumer drain.

const cleanup = cleanupAfterEach();

describe('the memory alarm watches the V8 heap', () => {
  it('blocks a fast publisher of 10-byte messages before the heap runs out, and the broker stays up', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const broker = await spawnBroker(data.dir, { nodeArgs: ['--max-old-space-size=160'] });
    cleanup.push(async () => void (await broker.stop()));

    const conn = await cleanup.connect(broker.url);
    let blockedReason = '';
    const blocked = new Promise<void>((resolve) =>
      conn.on('blocked', (reason: string) => {
        blockedReason = reason;
        resolve();
      }),
    );
    const ch = await conn.createChannel();
    await ch.assertQueue('small', { durable: false });
    const body = Buffer.from('0123456789');
    let sent = 0;
    while (blockedReason === '' && sent < 3_000_000) {
      // amqplib buffers what the socket does not take: wait for it as a well-behaved publisher does.
      // A blocked broker stops reading, so 'drain' may never come: whichever is first.
      if (!ch.sendToQueue('small', body)) await Promise.race([new Promise((r) => ch.once('drain', r)), blocked]);
      if (++sent % 5000 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(blockedReason).toMatch(/^low on memory: JavaScript heap \d+ MiB of its \d+ MiB limit$/);

    // Still serving: a consumer on another connection drains the queue.
    const consumer = await cleanup.connect(broker.url);
    const cch = await consumer.createChannel();
    const depth = (await cch.checkQueue('small')).messageCount;
    expect(depth).toBeGreaterThan(100_000);
    let received = 0;
    await cch.consume('small', () => received++, { noAck: true });
    await waitFor(() => received >= depth, 60_000, 'the queue to drain');
    expect(broker.output.join('\n')).not.toMatch(/heap out of memory/);
  }, 120_000);
});
