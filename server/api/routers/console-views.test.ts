// The procedures behind the routing, retries, dead-letters and lag pages
// (routing.graph, retries.pipelines, deadLetters.queues, lag.ranking), called
// as the console calls them, on a real broker. None of them touches the database.
import { describe, expect, it } from 'vitest';
import { Broker } from '../../broker/broker';
import { BrokerSampler } from '../../metrics/broker-sampler';
import type { Services } from '../../services';
import { appRouter } from '../root';

function setUp() {
  let clock = Date.UTC(2026, 0, 2, 3, 4, 5);
  const broker = new Broker({ now: () => (clock += 10) });
  const brokerSampler = new BrokerSampler(broker);
  const services = { broker, brokerSampler } as unknown as Services;
  const api = appRouter.createCaller({ services, user: { name: 'oncall', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} } as never);
  return { broker, api, brokerSampler };
}

describe('routing.graph', () => {
  it('lists exchanges with their alternate, queues with dead-letter target and retry tiers, and explicit bindings only', async () => {
    const { broker, api } = setUp();
    broker.declareExchange('/', 'lost', 'fanout', {});
    broker.declareExchange('/', 'shop', 'topic', { arguments: { 'alternate-exchange': 'lost' } });
    broker.declareQueue('/', 'orders', { arguments: { 'x-dead-letter-exchange': 'lost', 'x-dead-letter-routing-key': 'dead' } });
    broker.declareQueue('/', 'work', { arguments: { 'x-retry-tiers': ['5s', '1m'] } });
    broker.bindQueue('/', 'orders', 'shop', 'order.*', {});
    broker.bindExchange('/', 'lost', 'shop', 'x.#', {});

    const graph = await api.routing.graph({ vhost: '/' });
    expect(graph.exchanges.find((e) => e.name === 'shop')).toMatchObject({ type: 'topic', alternateExchange: 'lost' });
    expect(graph.queues.find((q) => q.name === 'orders')).toMatchObject({ deadLetterExchange: 'lost', deadLetterRoutingKey: 'dead', retryTiers: [] });
    expect(graph.queues.find((q) => q.name === 'work')).toMatchObject({ deadLetterExchange: null, retryTiers: ['5s', '1m'] });
    expect(graph.queues.map((q) => q.name)).toContain('work.dlq');
    expect(graph.bindings).toEqual([
      { source: 'shop', destination: 'orders', destinationType: 'queue', routingKey: 'order.*', arguments: {} },
      { source: 'shop', destination: 'lost', destinationType: 'exchange', routingKey: 'x.#', arguments: {} },
    ]);
  });
});

describe('deadLetters.queues', () => {
  it('finds <queue>.dlq, queues bound to a dead-letter exchange and queues named by a dead-letter routing key, fullest first', async () => {
    const { broker, api } = setUp();
    broker.declareExchange('/', 'dlx', 'fanout', {});
    broker.declareQueue('/', 'parked', {});
    broker.bindQueue('/', 'parked', 'dlx', '', {});
    broker.declareQueue('/', 'orders', { arguments: { 'x-dead-letter-exchange': 'dlx' } });
    broker.declareQueue('/', 'by-key', {});
    broker.declareQueue('/', 'mail', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'by-key' } });
    broker.declareQueue('/', 'work', { arguments: { 'x-retry-tiers': ['5s'] } });
    broker.publish('/', '', 'parked', {}, Buffer.from('x'));

    const queues = await api.deadLetters.queues({});
    expect(queues).toEqual([
      { vhost: '/', name: 'parked', ready: 1 },
      { vhost: '/', name: 'by-key', ready: 0 },
      { vhost: '/', name: 'work.dlq', ready: 0 },
    ]);
  });
});

describe('retries.pipelines', () => {
  it('gives each queue with tiers its own stage and its dead-letter queues beside the tiers', async () => {
    const { broker, api } = setUp();
    broker.declareQueue('/', 'work', { arguments: { 'x-retry-tiers': ['5s', '30s'] } });
    broker.declareExchange('/', 'dlx', 'direct', {});
    broker.declareQueue('/', 'failed', {});
    broker.bindQueue('/', 'failed', 'dlx', 'jobs', {});
    broker.declareQueue('/', 'jobs', { arguments: { 'x-retry-tiers': ['1s'], 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'jobs' } });
    broker.publish('/', '', 'work', {}, Buffer.from('a'));

    const pipelines = await api.retries.pipelines({});
    const work = pipelines.find((p) => p.queue === 'work')!;
    expect(work.work).toMatchObject({ name: 'work', ready: 1, unacked: 0, consumers: 0 });
    expect(work.tiers.map((t) => t.label)).toEqual(['5s', '30s']);
    expect(work.deadLetters.map((d) => d.name)).toEqual(['work.dlq']);
    expect(pipelines.find((p) => p.queue === 'jobs')!.deadLetters.map((d) => d.name)).toEqual(['failed']);
  });

  it('draws a hand-built TTL chain with its TTL queue as the tier, not as a dead-letter queue', async () => {
    const { broker, api } = setUp();
    broker.declareExchange('/', 'retry', 'fanout', {});
    broker.declareExchange('/', 'back', 'fanout', {});
    broker.declareQueue('/', 'mail', { arguments: { 'x-dead-letter-exchange': 'retry' } });
    broker.bindQueue('/', 'mail', 'back', '', {});
    broker.declareQueue('/', 'mail-wait', { arguments: { 'x-message-ttl': 2000, 'x-dead-letter-exchange': 'back' } });
    broker.bindQueue('/', 'mail-wait', 'retry', '', {});

    const [mail] = (await api.retries.pipelines({})).filter((p) => p.queue === 'mail');
    expect(mail).toMatchObject({ source: 'ttl-chain', tiers: [{ holding: 'mail-wait', delayMs: 2000 }], deadLetters: [] });
  });
});

describe('lag.ranking', () => {
  it('ranks stream groups by time lag and queues by how long their head message has waited', async () => {
    const { broker, api, brokerSampler } = setUp();
    broker.declareQueue('/', 'events', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    for (let i = 0; i < 20; i++) broker.publish('/', '', 'events', {}, Buffer.from(`e${i}`));
    broker.streams.resetGroup('/', 'events', 'slow', { kind: 'offset', offset: 2 });
    broker.streams.resetGroup('/', 'events', 'fast', { kind: 'offset', offset: 18 });
    // 'old' is seen by a sample 150 ms before 'young'; 'unseen' arrives after the last sample.
    for (const name of ['old', 'young', 'unseen', 'empty']) broker.declareQueue('/', name, {});
    broker.publish('/', '', 'old', {}, Buffer.from('m'));
    brokerSampler.sample();
    await new Promise((r) => setTimeout(r, 150));
    broker.publish('/', '', 'young', {}, Buffer.from('m'));
    brokerSampler.sample();
    broker.publish('/', '', 'unseen', {}, Buffer.from('m'));

    const ranking = await api.lag.ranking({});
    expect(ranking.groups.map((g) => [g.group, g.lagMessages])).toEqual([
      ['slow', 18],
      ['fast', 2],
    ]);
    expect(ranking.groups[0]!.lagMs).toBeGreaterThan(ranking.groups[1]!.lagMs);
    expect(ranking.queues.map((q) => q.queue)).toEqual(['old', 'young', 'unseen']);
    expect(ranking.queues[0]!.oldestAgeMs! - ranking.queues[1]!.oldestAgeMs!).toBeGreaterThanOrEqual(140);
    expect(ranking.queues[2]!.oldestAgeMs).toBeNull();
    expect(ranking).toMatchObject({ groupCount: 2, queueCount: 3 });
  });

  it("takes a message's timestamp property for its age, and ranks growing queues by in − out", async () => {
    const { broker, api, brokerSampler } = setUp();
    broker.declareQueue('/', 'stamped', {});
    broker.declareQueue('/', 'fast', {});
    broker.declareQueue('/', 'slow', {});
    brokerSampler.sample();
    // Published by a client an hour ago (AMQP timestamps are in seconds).
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    broker.publish('/', '', 'stamped', { timestamp: hourAgo }, Buffer.from('m'));
    for (let i = 0; i < 30; i++) broker.publish('/', '', 'fast', {}, Buffer.from('m'));
    for (let i = 0; i < 5; i++) broker.publish('/', '', 'slow', {}, Buffer.from('m'));
    await new Promise((r) => setTimeout(r, 2_100));
    brokerSampler.sample();

    const ranking = await api.lag.ranking({});
    const stamped = ranking.queues.find((q) => q.queue === 'stamped')!;
    expect(stamped.ageFrom).toBe('timestamp');
    expect(stamped.oldestAgeMs).toBeGreaterThanOrEqual(3_600_000);
    expect(ranking.queues[0]!.queue).toBe('stamped');
    expect(ranking.queues.find((q) => q.queue === 'fast')!.ageFrom).toBe('arrival');
    expect(ranking.growing.map((q) => q.queue)).toEqual(['fast', 'slow', 'stamped']);
    expect(ranking.growing[0]!.growthPerSecond).toBeGreaterThan(10);
    expect(ranking.growingCount).toBe(3);
  });
});
