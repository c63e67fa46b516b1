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

  it("samples each group's lag once a second for charts", () => {
    let clock = 1_000_000;
    const broker = new Broker({ now: () => clock });
    broker.declareQueue('/', 's', STREAM);
    for (let i = 0; i < 10; i++) broker.publish('/', '', 's', {}, Buffer.from(`m${i}`));
    broker.streams.resetGroup('/', 's', 'g', { kind: 'first' });
    expect(broker.streams.lagHistory('/', 's', 'g')).toEqual([]);
    clock += 1000;
    broker.scheduler.runDue();
    clock += 500;
    for (let i = 0; i < 5; i++) broker.publish('/', '', 's', {}, Buffer.from('more'));
    clock += 500;
    broker.scheduler.runDue();
    expect(broker.streams.lagHistory('/', 's', 'g')).toEqual([
      { at: 1_001_000, messages: 10, bytes: 10 * (32 + 1 + 2), ms: 0 },
      // Nothing consumed yet: time behind runs from the first retained message (at 1_000_000).
      { at: 1_002_000, messages: 15, bytes: 10 * (32 + 1 + 2) + 5 * (32 + 1 + 4), ms: 1500 },
    ]);
    expect(broker.streams.lagHistory('/', 's', 'g', 1_001_500)).toHaveLength(1);
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
