// What the console's connection, channel and consumer views tell about real
// amqplib clients: names, peer host:port, prefetch, publisher modes, rates.
import type { Socket } from 'node:net';
import amqp, { type ChannelModel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { withBroker, waitFor } from '../amqp/helpers';
import type { Broker } from '../../server/broker/broker';
import { BrokerSampler } from '../../server/metrics/broker-sampler';
import type { Services } from '../../server/services';
import { appRouter } from '../../server/api/root';

function api(broker: Broker, brokerSampler: BrokerSampler) {
  const services = { broker, brokerSampler, listeners: { amqp: '127.0.0.1:5672', http: '' } } as unknown as Services;
  return appRouter.createCaller({ services, user: { name: 'oncall', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} } as never);
}

const localPort = (conn: ChannelModel) => (conn as unknown as { connection: { stream: Socket } }).connection.stream.localPort;

describe('connections and channels as the console shows them', () => {
  it('names each channel’s prefetch, publisher mode and consumers, and each consumer’s client', async () => {
    await withBroker(async ({ broker, url }) => {
      const conn = await amqp.connect(url, { clientProperties: { connection_name: 'billing-worker' } });
      try {
        const consuming = await conn.createChannel();
        await consuming.assertQueue('invoices', { durable: false });
        await consuming.prefetch(3);
        await consuming.consume('invoices', () => {}, { consumerTag: 'worker-1' });
        const confirming = await conn.createConfirmChannel();
        const tx = await conn.createChannel();
        // amqplib has no tx API; its channel's rpc sends tx.select (class 90, method 10) and waits for select-ok.
        await (tx as unknown as { rpc: (method: number, fields: object, expect: number) => Promise<unknown> }).rpc((90 << 16) | 10, {}, (90 << 16) | 11);
        const sampler = new BrokerSampler(broker);
        sampler.sample();
        for (let i = 0; i < 5; i++) confirming.sendToQueue('invoices', Buffer.from(`invoice ${i}`));
        await confirming.waitForConfirms();
        await waitFor(() => broker.getQueue('/', 'invoices').unacked === 3, 2000, 'three deliveries');
        await new Promise((r) => setTimeout(r, 100));
        sampler.sample();

        const view = api(broker, sampler);
        const [listed] = await view.connections.list();
        expect(listed).toMatchObject({ name: 'billing-worker', product: 'amqplib', peer: `127.0.0.1:${localPort(conn)}`, channels: 3 });
        const byNumber = new Map(listed!.channelList.map((ch) => [ch.number, ch]));
        expect(byNumber.get(1)).toMatchObject({
          prefetch: 3,
          unacked: 3,
          confirm: false,
          transactional: false,
          consumers: [{ tag: 'worker-1', queue: 'invoices', prefetch: 3, unacked: 3 }],
        });
        expect(byNumber.get(2)).toMatchObject({ confirm: true, transactional: false, consumers: [] });
        expect(byNumber.get(2)!.publish).toBeGreaterThan(5); // five messages in about a tenth of a second
        expect(byNumber.get(1)!.deliver).toBeGreaterThan(5);
        expect(byNumber.get(3)).toMatchObject({ confirm: false, transactional: true });

        const channels = await view.connections.channels();
        expect(channels.map((ch) => [ch.connection.name, ch.number, ch.confirm])).toEqual([
          ['billing-worker', 1, false],
          ['billing-worker', 2, true],
          ['billing-worker', 3, false],
        ]);
        expect(channels[0]!.connection).toMatchObject({ user: 'guest', vhost: '/', peer: listed!.peer });

        const queue = await view.queues.get({ vhost: '/', name: 'invoices' });
        expect(queue.state).toBe('saturated');
        expect(queue.consumers).toMatchObject([
          { consumerTag: 'worker-1', prefetchCount: 3, unacked: 3, client: { name: 'billing-worker', peer: listed!.peer } },
        ]);
        expect(queue.oldestReadyAgeMs).not.toBeNull();
      } finally {
        await conn.close();
      }
    });
  });
});
