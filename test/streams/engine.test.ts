// The stream engine without a network: publisher confirms wait for the
// stream's fsync when its storage is on disk, and are immediate in memory.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../server/broker/broker';
import { FileStreamStorage } from '../../server/store/stream/file-stream-storage';
import { tempDir } from './support';

const STREAM = { durable: true, arguments: { 'x-queue-type': 'stream' } };

describe('stream engine', () => {
  it('defers confirms of a file-backed stream until its sync, then acks', async () => {
    const broker = new Broker({ streams: new FileStreamStorage(join(tempDir(), 'streams')) });
    broker.declareQueue('/', 's', STREAM);
    broker.declareQueue('/', 't', STREAM);
    broker.bindQueue('/', 's', 'amq.fanout', '');
    broker.bindQueue('/', 't', 'amq.fanout', '');
    const confirmed = new Promise<{ ack: boolean; readable: number | null }>((resolve) => {
      const result = broker.publish('/', 'amq.fanout', '', {}, Buffer.from('x'), {
        onConfirm: (ack) => resolve({ ack, readable: broker.streams.read('/', 't', { kind: 'first' }, 10).messages.length }),
      });
      expect(result).toMatchObject({ routed: 2, confirm: 'deferred' });
      // Not synced yet: nothing is readable.
      expect(broker.streams.read('/', 's', { kind: 'first' }, 10).messages).toEqual([]);
    });
    expect(await confirmed).toEqual({ ack: true, readable: 1 });
    broker.close();
  });

  it('confirms at once in memory', () => {
    const broker = new Broker();
    broker.declareQueue('/', 's', STREAM);
    expect(broker.publish('/', '', 's', {}, Buffer.from('x'))).toMatchObject({ routed: 1, confirm: 'ack' });
    expect(broker.streams.get('/', 's')).toMatchObject({ messages: 1, published: 1 });
    broker.close();
  });

  it('nacks what a closed stream cannot take', () => {
    const broker = new Broker({ streams: new FileStreamStorage(join(tempDir(), 'streams')) });
    broker.declareQueue('/', 's', STREAM);
    broker.streamStorage.close();
    expect(broker.publish('/', '', 's', {}, Buffer.from('x'))).toMatchObject({ confirm: 'nack' });
    broker.close();
  });
});
