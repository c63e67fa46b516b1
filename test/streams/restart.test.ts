// A stream across a restart of the durable broker as server/main.ts builds
// it: topology in the metadata database, records and group offsets in
// <dataDir>/streams. The stream comes back with its messages, its binding
// and its groups, without any client declaring it again.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../server/broker/broker';
import { openMetadataDb } from '../../server/store/db';
import { openDurableBroker } from '../../server/store/recovery';
import { FileStreamStorage } from '../../server/store/stream/file-stream-storage';
import { tempDir } from './support';

async function openWarren(dataDir: string) {
  const db = await openMetadataDb({ dataDir, log: () => {} });
  const { broker, store } = await openDurableBroker({ dataDir, db, streams: new FileStreamStorage(join(dataDir, 'streams')) });
  return {
    broker,
    async close() {
      broker.close();
      await store.close();
      await db.close();
    },
  };
}

function publishConfirmed(broker: Broker, exchange: string, key: string, bodies: string[]): Promise<boolean[]> {
  return Promise.all(
    bodies.map(
      (body) =>
        new Promise<boolean>((resolve) => {
          const result = broker.publish('/', exchange, key, { deliveryMode: 2 }, Buffer.from(body), { onConfirm: resolve });
          if (result.confirm !== 'deferred') resolve(result.confirm === 'ack');
        }),
    ),
  );
}

describe('streams across a broker restart', () => {
  it('come back with their messages, bindings and group offsets', async () => {
    const dataDir = tempDir();
    const first = await openWarren(dataDir);
    first.broker.declareQueue('/', 'events', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': '7D' } });
    first.broker.bindQueue('/', 'events', 'amq.topic', 'order.*');
    const acks = await publishConfirmed(
      first.broker,
      'amq.topic',
      'order.created',
      Array.from({ length: 20 }, (_, i) => `e${i}`),
    );
    expect(acks.every(Boolean)).toBe(true);
    first.broker.streams.resetGroup('/', 'events', 'billing', { kind: 'offset', offset: 5 });
    await first.close();

    const second = await openWarren(dataDir);
    try {
      expect(second.broker.streams.get('/', 'events')).toMatchObject({ messages: 20, firstOffset: 0, lastOffset: 19 });
      expect(second.broker.streams.groups('/', 'events')).toMatchObject([{ name: 'billing', committedOffset: 4, lag: { messages: 15 } }]);
      expect(await publishConfirmed(second.broker, 'amq.topic', 'order.paid', ['e20'])).toEqual([true]);
      const page = second.broker.streams.read('/', 'events', { kind: 'offset', offset: 18 }, 10);
      expect(page.messages.map((m) => [m.offset, m.routingKey, m.body.toString()])).toEqual([
        [18, 'order.created', 'e18'],
        [19, 'order.created', 'e19'],
        [20, 'order.paid', 'e20'],
      ]);
    } finally {
      await second.close();
    }
  });
});
