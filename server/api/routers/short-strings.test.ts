// The console refuses what AMQP would refuse: names, routing keys, header
// names and properties longer than 255 bytes in UTF-8, with the byte count.
import { describe, expect, it } from 'vitest';
import { Broker } from '../../broker/broker';
import type { Services } from '../../services';
import { appRouter } from '../root';

function setUp() {
  const broker = new Broker();
  const services = { broker } as unknown as Services;
  const api = appRouter.createCaller({ services, user: { name: 'oncall', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} } as never);
  return { broker, api };
}

const EURO_255 = '€'.repeat(255);

describe('console inputs that AMQP cannot carry', () => {
  it('a queue or exchange name of 255 × € (765 bytes) is refused with the byte count', async () => {
    const { broker, api } = setUp();
    await expect(api.queues.declare({ vhost: '/', name: EURO_255 })).rejects.toThrow(/The name is 765 bytes in UTF-8; AMQP allows at most 255/);
    await expect(api.exchanges.declare({ vhost: '/', name: EURO_255, type: 'direct' })).rejects.toThrow(/765 bytes in UTF-8/);
    expect(broker.listQueues()).toEqual([]);
    expect(broker.listExchanges().map((e) => e.name)).not.toContain(EURO_255);
  });

  it('a published message with a routing key, header name or property over 255 bytes is refused before routing', async () => {
    const { broker, api } = setUp();
    broker.declareQueue('/', 'q');
    broker.bindQueue('/', 'q', 'amq.topic', '#');
    const base = { vhost: '/', exchange: 'amq.topic', payload: 'x' };
    await expect(api.publish.send({ ...base, routingKey: 'é'.repeat(200) })).rejects.toThrow(/The routing key is 400 bytes in UTF-8; AMQP allows at most 255/);
    await expect(api.publish.send({ ...base, headers: [{ key: 'h'.repeat(256), value: '1', type: 'string' }] })).rejects.toThrow(
      /The header name is 256 bytes/,
    );
    await expect(api.publish.send({ ...base, properties: { messageId: '€'.repeat(100) } })).rejects.toThrow(/The message id is 300 bytes/);
    expect(broker.getQueue('/', 'q').ready).toBe(0);
    await api.publish.send({ ...base, routingKey: '€'.repeat(85) });
    expect(broker.getQueue('/', 'q').ready).toBe(1);
  });
});
