import { describe, expect, it } from 'vitest';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, spawnBroker, type BrokerProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// TTLs keep counting across a restart: a message of a queue with
// x-message-ttl, and a message with its own expiration, expire when they
// were due, not a full TTL after the broker came back (and not never).

const cleanup = cleanupAfterEach();
const TTL_MS = 2000;

describe('message TTL across a restart', () => {
  it('expires recovered messages at the deadline they had before the restart, dead-lettering where configured', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    let running: BrokerProcess = await spawnBroker(data.dir);
    cleanup.push(() => void running.kill());

    const before = await cleanup.connect(running.url);
    const ch = await before.createConfirmChannel();
    await ch.assertQueue('expired', { durable: true });
    await ch.assertQueue('queue-ttl', {
      durable: true,
      arguments: { 'x-message-ttl': TTL_MS, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'expired' },
    });
    await ch.assertQueue('message-ttl', { durable: true });
    await ch.assertQueue('long-ttl', { durable: true, arguments: { 'x-message-ttl': 600_000 } });
    const publishedAt = Date.now();
    ch.sendToQueue('queue-ttl', Buffer.from('queue ttl'), { persistent: true });
    ch.sendToQueue('message-ttl', Buffer.from('own expiration'), { persistent: true, expiration: String(TTL_MS) });
    ch.sendToQueue('long-ttl', Buffer.from('stays'), { persistent: true });
    await ch.waitForConfirms();
    await before.close();
    await running.stop();

    running = await spawnBroker(data.dir);
    const readyAt = Date.now();
    const after = await cleanup.connect(running.url);
    const check = await after.createChannel();
    expect((await check.checkQueue('long-ttl')).messageCount).toBe(1);
    // Counting from the restart would keep them until readyAt + TTL_MS; they were due at publishedAt + TTL_MS.
    const dueAt = publishedAt + TTL_MS + 300;
    expect(dueAt).toBeLessThan(readyAt + TTL_MS);
    await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now())));
    expect(await check.get('message-ttl')).toBe(false);
    expect(await check.get('queue-ttl')).toBe(false);
    expect((await check.checkQueue('message-ttl')).messageCount).toBe(0);
    expect((await check.checkQueue('queue-ttl')).messageCount).toBe(0);
    await waitFor(async () => (await check.checkQueue('expired')).messageCount === 1, 2000, 'the dead letter');
    const dead = await check.get('expired', { noAck: true });
    expect(dead && dead.content.toString()).toBe('queue ttl');
    const deaths = dead ? (dead.properties.headers?.['x-death'] as { reason: string }[] | undefined) : undefined;
    expect(deaths?.[0]?.reason).toBe('expired');
    expect((await check.checkQueue('long-ttl')).messageCount).toBe(1);
  });
});
