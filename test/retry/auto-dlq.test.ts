import { describe, expect, it } from 'vitest';
import type { Broker } from '../../server/broker/broker';
import { waitFor, withBroker, withChannel } from '../amqp/helpers';
import { getWhenThere } from './support';

// `<queue>.dlq`, declared beside a queue with retry tiers and no dead-letter
// exchange, comes back when someone has deleted it: at the next declaration of
// the queue, and at the latest when a message dies, which it then holds
// (RabbitMQ would drop a message whose dead-letter target is missing).

const ARGS = { 'x-retry-tiers': ['20ms'] };

function queueExists(broker: Broker, name: string): boolean {
  return broker.listQueues('/').some((q) => q.name === name);
}

describe('the automatic dead-letter queue', () => {
  it('is declared again with the queue after it was deleted', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        await ch.assertQueue('invoices', { durable: true, arguments: ARGS });
        expect(await ch.checkQueue('invoices.dlq')).toMatchObject({ queue: 'invoices.dlq', messageCount: 0 });
        await ch.deleteQueue('invoices.dlq');
        const check = await conn.createChannel();
        check.on('error', () => {});
        await expect(check.checkQueue('invoices.dlq')).rejects.toThrow(/NOT_FOUND/);

        await ch.assertQueue('invoices', { durable: true, arguments: ARGS });
        expect(await ch.checkQueue('invoices.dlq')).toMatchObject({ queue: 'invoices.dlq', messageCount: 0 });
      }),
    ));

  it('is declared again when a message dies after it was deleted, and holds that message', () =>
    withBroker(({ url, broker }) =>
      withChannel(url, async (ch) => {
        await ch.assertQueue('invoices', { durable: true, arguments: ARGS });
        await ch.deleteQueue('invoices.dlq');
        await ch.consume('invoices', (m) => m && ch.nack(m, false, false));
        ch.sendToQueue('invoices', Buffer.from('invoice 42'), { persistent: true });

        // basic.get on a missing queue would close the channel: wait for the queue first.
        await waitFor(() => queueExists(broker, 'invoices.dlq'), 5000, 'invoices.dlq declared again');
        const dead = await getWhenThere(ch, 'invoices.dlq', 5000, { noAck: true });
        expect(dead.content.toString()).toBe('invoice 42');
        const [death] = dead.properties.headers?.['x-death'] ?? [];
        expect(death).toMatchObject({ queue: 'invoices', reason: 'rejected', count: 1 });
        // Declared as the queue it sits beside: durable, so it survives a restart with its messages.
        expect(broker.getQueue('/', 'invoices.dlq')).toMatchObject({ durable: true, exclusive: false, autoDelete: false });
      }),
    ));

  it('is declared beside a server-named queue too, though its name starts with amq.', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch) => {
        const { queue } = await ch.assertQueue('', { exclusive: true, arguments: ARGS });
        expect(queue).toMatch(/^amq\.gen-/);
        await ch.consume(queue, (m) => m && ch.nack(m, false, false));
        ch.sendToQueue(queue, Buffer.from('reply 1'));
        expect((await getWhenThere(ch, `${queue}.dlq`, 5000, { noAck: true })).content.toString()).toBe('reply 1');
      }),
    ));

  it('is left alone when the queue names a dead-letter exchange of its own', () =>
    withBroker(({ url }) =>
      withChannel(url, async (ch, conn) => {
        await ch.assertQueue('failed', { durable: true });
        const args = { ...ARGS, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'failed' };
        await ch.assertQueue('reports', { durable: true, arguments: args });
        await ch.consume('reports', (m) => m && ch.nack(m, false, false));
        ch.sendToQueue('reports', Buffer.from('report 7'), { persistent: true });
        expect((await getWhenThere(ch, 'failed', 5000, { noAck: true })).content.toString()).toBe('report 7');
        const check = await conn.createChannel();
        check.on('error', () => {});
        await expect(check.checkQueue('reports.dlq')).rejects.toThrow(/NOT_FOUND/);
      }),
    ));
});
