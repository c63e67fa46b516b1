import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { publishUntilBlocked } from '../support/publish-until-blocked';
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
    const ch = await conn.createChannel();
    await ch.assertQueue('small', { durable: false });
    const { reason: blockedReason } = await publishUntilBlocked(conn, ch, 'small', Buffer.from('0123456789'), 3_000_000);
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
