import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { openMetadataDb } from '../../server/store/db';
import { cleanupAfterEach } from './cleanup';
import { makeDataDir, openInProcess } from './support';

// Topology stored before a rule existed (names and short-string arguments
// must fit AMQP) comes back at start-up rather than being dropped with its
// messages; the log says what is wrong and what to do.

const cleanup = cleanupAfterEach();

describe('restart with topology stored before the short-string rule', () => {
  it('restores a queue whose name AMQP cannot carry, and says so', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const name = '€'.repeat(255);
    const first = await openInProcess(data.dir);
    first.broker.declareQueue('/', name, { durable: true, fromStore: true });
    await first.broker.stored();
    await first.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    expect(second.broker.getQueue('/', name).durable).toBe(true);
    expect(second.logs.join('\n')).toMatch(
      /recovery: the name of queue '€+…' in vhost '\/' is 765 bytes in UTF-8; AMQP allows at most 255; AMQP clients cannot reach it\. It is restored so that its messages can be moved out from the console; then delete it\./,
    );
  });

  it('restores a queue without an argument refused now, with its messages', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const first = await openInProcess(data.dir);
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('orders', { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead' } });
    ch.sendToQueue('orders', Buffer.from('order 42'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await first.close();

    // As an older Warren stored it: a 300-byte dead-letter routing key.
    const db = await openMetadataDb({ dataDir: data.dir, log: () => {} });
    const args = JSON.stringify({ 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'k'.repeat(300) });
    await db.prisma.queue.updateMany({ where: { name: 'orders' }, data: { arguments: args } });
    await db.close();

    const second = await openInProcess(data.dir);
    cleanup.push(() => second.close());
    const orders = second.broker.getQueue('/', 'orders');
    expect(orders.ready).toBe(1);
    expect(orders.effectiveArguments).toEqual({ 'x-dead-letter-exchange': '' });
    expect(second.logs.join('\n')).toMatch(
      /queue 'orders' in vhost '\/' is restored without its argument\(s\) x-dead-letter-routing-key, which are refused now \(.*300 bytes.*\); redeclare it with valid arguments/,
    );
  });
});
