// After a restart, a recovered message's age goes on from when it arrived,
// not from the restart (before, every age read the same: the time since start).
import { afterEach, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import { keepArrivals } from '../../server/metrics/arrival-file';
import { BrokerSampler } from '../../server/metrics/broker-sampler';
import { waitFor } from '../amqp/helpers';
import { makeDataDir, openInProcess } from './support';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('arrival times across a restart', () => {
  it('keeps each queue’s oldest message dated from its arrival', async () => {
    const data = makeDataDir();
    dirs.push(data);
    const first = await openInProcess(data.dir);
    const sampler = new BrokerSampler(first.broker);
    const kept = keepArrivals(sampler, data.dir, (e) => {
      throw e;
    });
    const conn = await amqp.connect(first.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('old', { durable: true });
    await ch.assertQueue('young', { durable: true });
    sampler.sample();
    ch.sendToQueue('old', Buffer.from('m'), { persistent: true });
    await ch.waitForConfirms();
    await waitFor(() => first.broker.getQueue('/', 'old').ready === 1);
    sampler.sample();
    const oldArrived = Date.now();
    await new Promise((r) => setTimeout(r, 1_200));
    ch.sendToQueue('young', Buffer.from('m'), { persistent: true });
    await ch.waitForConfirms();
    sampler.sample();
    await conn.close();
    kept.stop();
    await first.close();

    const second = await openInProcess(data.dir);
    try {
      const after = new BrokerSampler(second.broker);
      keepArrivals(after, data.dir, () => {}).stop();
      after.sample();
      const now = Date.now();
      const oldAge = after.headAgeMs('/', 'old', now)!;
      const youngAge = after.headAgeMs('/', 'young', now)!;
      expect(oldAge).toBeGreaterThanOrEqual(now - oldArrived);
      expect(oldAge - youngAge).toBeGreaterThanOrEqual(1_000);
    } finally {
      await second.close();
    }
  });
});
