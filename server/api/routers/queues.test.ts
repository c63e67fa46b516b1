// queues.list's name filter as the console's queue table calls it, on a real broker.
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../amqp/codec/seeded-random';
import { Broker } from '../../broker/broker';
import { BrokerSampler } from '../../metrics/broker-sampler';
import type { Services } from '../../services';
import { appRouter } from '../root';

function setUp(queues: readonly string[]) {
  const broker = new Broker();
  for (const name of queues) broker.declareQueue('/', name, {});
  const services = { broker, brokerSampler: new BrokerSampler(broker) } as unknown as Services;
  const api = appRouter.createCaller({ services, user: { name: 'oncall', tags: ['administrator'] }, peerAddress: '127.0.0.1', setCookie: () => {} } as never);
  return { broker, api };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return { status: getHTTPStatusCodeFromError(error as TRPCError), message: (error as TRPCError).message };
}

describe('queues.list filter', () => {
  it('takes a regular expression, ignoring case, or a substring', async () => {
    const { broker, api } = setUp(['orders.eu', 'Orders.us', 'orders-archive', 'payments']);
    const names = async (filter: string, regex: boolean) => (await api.queues.list({ filter, regex })).rows.map((r) => r.name);
    expect(await names('^orders\\.', true)).toEqual(['Orders.us', 'orders.eu']);
    expect(await names('^(orders|payments)$', true)).toEqual(['payments']);
    expect(await names('s$', true)).toEqual(['Orders.us', 'payments']);
    expect(await names('ORDERS.', false)).toEqual(['Orders.us', 'orders.eu']);
    broker.close();
  });

  it('answers 400 with the problem and its position for a pattern it cannot use', async () => {
    const { broker, api } = setUp(['orders']);
    expect(await refusal(api.queues.list({ filter: '[', regex: true }))).toEqual({
      status: 400,
      message: "queue filter '[' at position 1: the class opened here is not closed; add ']' (to match '[' write '\\[')",
    });
    expect(await refusal(api.queues.list({ filter: '^(a)\\1$', regex: true }))).toEqual({
      status: 400,
      message: "queue filter '^(a)\\1$' at position 5: backreferences are not supported",
    });
    // The same text is a fine substring filter.
    expect((await api.queues.list({ filter: '[', regex: false })).total).toBe(0);
    broker.close();
  });

  it('filters queues named a…a! with ^(a+)+$ (a backtracking engine would never answer)', async () => {
    const names = Array.from({ length: 250 }, (_, i) => 'a'.repeat(i + 1)).flatMap((a) => [a, `${a}!`]);
    const { broker, api } = setUp(names);
    const page = await api.queues.list({ filter: '^(a+)+$', regex: true, limit: 500 });
    expect(page.total).toBe(250);
    expect(page.rows.every((r) => !r.name.endsWith('!'))).toBe(true);
    broker.close();
  });

  it('stops a filter that would hold the event loop for seconds, with a 400 saying so', async () => {
    // 3,000 names of 255 random a/b: [ab]*a[ab]{200}c keeps about 200 threads alive per character
    // (seconds of work in all), where the usual filter over 10,000 queues takes a few milliseconds.
    const random = new SeededRandom(3);
    const names = Array.from({ length: 3000 }, () => Array.from({ length: 255 }, () => random.pick(['a', 'b'])).join(''));
    const { broker, api } = setUp(names);
    const { status, message } = await refusal(api.queues.list({ filter: '[ab]*a[ab]{200}c', regex: true }));
    expect(status).toBe(400);
    expect(message).toMatch(/^queue filter '\[ab\]\*a\[ab\]\{200\}c' took more than 250 ms over [\d,]+ queues and was stopped; use a shorter pattern/);
    expect((await api.queues.list({ filter: '^a{200}', regex: true })).total).toBe(0);
    broker.close();
  });
});
