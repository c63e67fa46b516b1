import { describe, expect, it } from 'vitest';
import type { DurableStore } from '../../server/store/durable-store';
import { RawClient } from '../amqp/raw-client';
import { makeDataDir, openInProcess } from './support';
import { cleanupAfterEach } from './cleanup';

// tx.commit-ok promises what a publisher confirm promises: the committed
// persistent messages are on disk, so they survive a crash of the machine.
// (amqplib has no transactions: a raw client drives them.)

const cleanup = cleanupAfterEach();

describe('transactions on disk', () => {
  it('answers tx.commit only once the journal has synced what the transaction published', async () => {
    const data = makeDataDir();
    cleanup.push(() => data.remove());
    const running = await openInProcess(data.dir);
    cleanup.push(() => running.close());
    const journal = (running.broker.store as DurableStore).journal;
    const c = await RawClient.connect(Number(new URL(running.url).port));
    cleanup.push(() => c.destroy());
    await c.openChannel(1);
    c.method(1, 'writeQueueDeclare', { queue: 'ledger', durable: true, arguments: {} });
    await c.expectMethod('queue.declare-ok');
    c.method(1, 'writeTxSelect', {});
    await c.expectMethod('tx.select-ok');

    for (let round = 1; round <= 20; round++) {
      const before = journal.stats();
      c.publish(1, '', 'ledger', Buffer.from(`entry-${round}`), { deliveryMode: 2 });
      c.method(1, 'writeTxCommit', {});
      await c.expectMethod('tx.commit-ok');
      // By the time the reply is here, the message's record was written and an fdatasync covering it has completed.
      const after = journal.stats();
      expect(after.bytesWritten).toBeGreaterThan(before.bytesWritten);
      expect(after.fsyncs).toBeGreaterThan(before.fsyncs);
    }
    expect(running.broker.getQueue('/', 'ledger').ready).toBe(20);
  });
});
