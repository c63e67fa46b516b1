// "Needs attention" on a real broker with amqplib traffic: a queue fed faster
// than its consumer acks ranks first, with its saturated consumer as a further
// reason; a dead-letter queue receiving and a backlog without consumer follow;
// a user sees only their vhosts.
import { afterEach, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import { needsAttention } from '../../server/attention/gather';
import { appRouter } from '../../server/api/root';
import { BrokerSampler } from '../../server/metrics/broker-sampler';
import type { Services } from '../../server/services';
import { waitFor, withBroker } from '../amqp/helpers';

const timers: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const t of timers.splice(0)) clearInterval(t);
});
const every = (ms: number, fn: () => void) => timers.push(setInterval(fn, ms));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('needs attention', () => {
  it('ranks the growing queue first, then dead letters arriving, then a backlog nobody consumes', async () => {
    await withBroker(async ({ broker, url }) => {
      const sampler = new BrokerSampler(broker);
      const services = { broker, brokerSampler: sampler, alarms: () => [] } as unknown as Services;
      const conn = await amqp.connect(url);
      try {
        const ch = await conn.createChannel();
        // A consumer that takes one message at a time and acks every 100 ms, fed 50 a second.
        await ch.assertQueue('t-grow', { durable: false });
        await ch.prefetch(1);
        const held: amqp.Message[] = [];
        await ch.consume('t-grow', (m) => m && held.push(m));
        every(100, () => {
          const m = held.shift();
          if (m) ch.ack(m);
        });
        every(20, () => ch.sendToQueue('t-grow', Buffer.from('order')));
        // A worker that rejects everything into its dead-letter queue.
        await ch.assertExchange('t-dlx', 'fanout', { durable: false });
        await ch.assertQueue('t-failed', { durable: false });
        await ch.bindQueue('t-failed', 't-dlx', '');
        await ch.assertQueue('t-work', { durable: false, deadLetterExchange: 't-dlx' });
        const rejecter = await conn.createChannel();
        await rejecter.consume('t-work', (m) => m && rejecter.nack(m, false, false));
        every(100, () => ch.sendToQueue('t-work', Buffer.from('job')));
        // Messages waiting with nobody to take them.
        await ch.assertQueue('t-nobody', { durable: false });
        for (let i = 0; i < 5; i++) ch.sendToQueue('t-nobody', Buffer.from('lost'));
        await waitFor(() => broker.getQueue('/', 't-nobody').ready === 5);

        for (let i = 0; i < 8; i++) {
          sampler.sample();
          await sleep(500);
        }
        sampler.sample();
        const rows = needsAttention(services, () => true);
        const names = rows.map((r) => (r.target.kind === 'broker' ? r.target.source : r.target.name));
        expect(names).toEqual(['t-grow', 't-failed', 't-nobody']);
        const [grow, failed, nobody] = rows;
        expect(grow).toMatchObject({ kind: 'growing', severity: 'warning', target: { kind: 'queue', vhost: '/', name: 't-grow' } });
        expect(grow!.summary).toMatch(/^Growing \d+ msg\/s \(in \d+ msg\/s, acked \d+(\.\d)? msg\/s\), no length limit$/);
        expect(grow!.alsoSummaries).toEqual([
          expect.stringMatching(/^Consumers saturated: its consumer is at prefetch \(1 \/ 1 unacked\), \d+ ready waiting$/),
        ]);
        expect(failed).toMatchObject({ kind: 'dead-letters', summary: expect.stringMatching(/^Dead letters arriving \d+(\.\d)? msg\/s, \d+ held$/) });
        expect(nobody).toMatchObject({ kind: 'no-consumer', severity: 'notice', summary: '5 ready, no consumer' });
      } finally {
        timers.splice(0).forEach(clearInterval);
        await conn.close();
      }
    });
  });

  it('shows a user only their vhosts, and all is well when nothing is wrong', async () => {
    await withBroker(async ({ broker, url }) => {
      broker.createVhost('shop');
      const sampler = new BrokerSampler(broker);
      const services = { broker, brokerSampler: sampler, alarms: () => [] } as unknown as Services;
      const caller = (tags: string[]) =>
        appRouter.createCaller({ services, user: { name: 'oncall', tags }, peerAddress: '127.0.0.1', setCookie: () => {} } as never);
      expect(await caller(['administrator']).attention.now()).toEqual({ rows: [], total: 0 });

      const conn = await amqp.connect(`${url}/shop`);
      try {
        const ch = await conn.createChannel();
        await ch.assertQueue('t-shop-backlog', { durable: false });
        ch.sendToQueue('t-shop-backlog', Buffer.from('x'));
        await waitFor(() => broker.getQueue('shop', 't-shop-backlog').ready === 1);
      } finally {
        await conn.close();
      }
      sampler.sample();
      const all = await caller(['administrator']).attention.now();
      expect(all.rows.map((r) => r.target)).toEqual([{ kind: 'queue', vhost: 'shop', name: 't-shop-backlog' }]);
      expect(needsAttention(services, (vhost) => vhost === '/')).toEqual([]);
    });
  });

  it('puts a raised alarm first', async () => {
    await withBroker(async ({ broker }) => {
      const sampler = new BrokerSampler(broker);
      broker.declareQueue('/', 't-backlog', {});
      broker.publish('/', '', 't-backlog', {}, Buffer.from('x'));
      const services = {
        broker,
        brokerSampler: sampler,
        alarms: () => [{ source: 'memory', reason: '1.2 GiB used, high-water mark 1 GiB' }],
      } as unknown as Services;
      sampler.sample();
      const rows = needsAttention(services, () => true);
      expect(rows.map((r) => r.kind)).toEqual(['alarm', 'no-consumer']);
      expect(rows[0]).toMatchObject({ severity: 'critical', target: { kind: 'broker', source: 'memory' } });
    });
  });
});
