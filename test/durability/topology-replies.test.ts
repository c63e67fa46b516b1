import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import type { Services } from '../../server/services';
import type { DurableStore } from '../../server/store/durable-store';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// A durable declaration, a deletion or a purge is answered once it is on disk,
// as RabbitMQ answers them: a crash right after the reply cannot undo it.

const cleanup = cleanupAfterEach();

describe('replies to topology changes', () => {
  it('come once the metadata database and the journal have the change', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const running = await openInProcess(data.dir);
    cleanup.push(() => running.close());
    const store = running.broker.store as DurableStore;
    const conn = await amqp.connect(running.url);
    cleanup.push(() => conn.close());
    const ch = await conn.createConfirmChannel();

    for (let round = 0; round < 10; round++) {
      await ch.assertExchange(`orders-${round}`, 'topic', { durable: true });
      expect(store.topology.idle).toBe(true);
      await ch.assertQueue(`billing-${round}`, { durable: true });
      expect(store.topology.idle).toBe(true);
      await ch.bindQueue(`billing-${round}`, `orders-${round}`, 'order.#');
      expect(store.topology.idle).toBe(true);

      ch.sendToQueue(`billing-${round}`, Buffer.from('invoice'), { persistent: true });
      await ch.waitForConfirms();
      const before = store.journal.stats();
      expect((await ch.purgeQueue(`billing-${round}`)).messageCount).toBe(1);
      // The purge's removal record is written and synced.
      expect(store.journal.stats().fsyncs).toBeGreaterThan(before.fsyncs);

      await ch.deleteQueue(`billing-${round}`);
      expect(store.topology.idle).toBe(true);
      await ch.deleteExchange(`orders-${round}`);
      expect(store.topology.idle).toBe(true);
    }
    const rows = running.broker.listQueues('/');
    expect(rows.filter((q) => q.name.startsWith('billing-'))).toEqual([]);
  });
});

describe('changes made from the console', () => {
  it('are answered once on disk too', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const running = await openInProcess(data.dir);
    cleanup.push(() => running.close());
    const store = running.broker.store as DurableStore;
    const services = { broker: running.broker, db: running.db } as unknown as Services;
    const api = appRouter.createCaller({ services, user: { name: 'oncall', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} });
    running.broker.declareExchange('/', 'orders', 'topic', { durable: true });
    running.broker.declareQueue('/', 'billing', { durable: true });
    await running.broker.stored();

    await api.bindings.add({ vhost: '/', source: 'orders', destination: 'billing', destinationType: 'queue', routingKey: 'order.#' });
    expect(store.topology.idle).toBe(true);
    const before = store.journal.stats();
    const sent = await api.publish.send({ vhost: '/', exchange: 'orders', routingKey: 'order.paid', payload: '{"id":7}', properties: { deliveryMode: 2 } });
    expect(sent.routed).toBe(1);
    expect(store.journal.stats().fsyncs).toBeGreaterThan(before.fsyncs);
  });
});
