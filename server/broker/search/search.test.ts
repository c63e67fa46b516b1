import { describe, expect, it } from 'vitest';
import { Broker } from '../broker';
import { compileQuery, type Candidate } from './search-query';
import { conditionHolds, parseJsonCondition } from './json-path';

const order = { order: { id: 42, lines: [{ sku: 'a-1' }] }, amount: 120.5, 'odd key': true, note: null };

function holds(condition: string, document: unknown = order): boolean {
  return conditionHolds(parseJsonCondition(condition), document);
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('JSON path conditions', () => {
  it('compare numbers, strings, booleans and null at a path', () => {
    expect(holds('$.order.id == 42')).toBe(true);
    expect(holds('$.order.id == 43')).toBe(false);
    expect(holds('$.order.id == "42"')).toBe(false);
    expect(holds('$.amount > 100')).toBe(true);
    expect(holds('$.amount <= 100')).toBe(false);
    expect(holds("$.order.lines[0].sku == 'a-1'")).toBe(true);
    expect(holds('$.order.lines[1].sku == "a-1"')).toBe(false);
    expect(holds("$['odd key'] == true")).toBe(true);
    expect(holds('$.note == null')).toBe(true);
    expect(holds('$.missing != 1')).toBe(false);
    expect(holds('$.order.id != 1')).toBe(true);
    expect(holds('$.order')).toBe(true);
    expect(holds('$.note')).toBe(false);
    expect(holds('$.amount > "1"')).toBe(false);
  });

  it('point at the error position and say what to write', () => {
    expect(refusal(() => parseJsonCondition('order.id == 42'))).toBe(
      "PRECONDITION_FAILED - JSON path condition 'order.id == 42' at position 1: a path starts with '$', e.g. $.order.id == 42",
    );
    expect(refusal(() => parseJsonCondition('$.order. == 42'))).toMatch(/at position 9: a property name must follow '\.'/);
    expect(refusal(() => parseJsonCondition('$.order.id = 42'))).toMatch(/at position 12: write '==' to compare/);
    expect(refusal(() => parseJsonCondition('$.a[0 == 1'))).toMatch(/at position 6: the '\[' at position 4 is not closed/);
    expect(refusal(() => parseJsonCondition('$.a == "open'))).toMatch(/at position 8: the string opened here is not closed; add "/);
    expect(refusal(() => parseJsonCondition('$.a == pending'))).toMatch(/at position 8: 'pending' is not a value: quote text \("pending"\)/);
    expect(refusal(() => parseJsonCondition('$.a == 1 2'))).toMatch(/at position 10: unexpected text after the value/);
  });
});

describe('search queries', () => {
  type Timed = Candidate & { time: number | null };
  const compile = (query: Parameters<typeof compileQuery>[0]) => compileQuery(query, (c: Timed) => c.time);
  const message = (body: string, extra: Partial<{ routingKey: string; headers: Record<string, unknown>; time: number | null }> = {}): Timed => ({
    routingKey: extra.routingKey ?? 'orders.eu',
    properties: { headers: extra.headers ?? {}, messageId: 'm-1' },
    body: Buffer.from(body),
    time: extra.time ?? null,
  });

  it('combine payload, JSON, header, routing key and time range (all must hold)', () => {
    const q = compile({
      payload: { text: 'refund' },
      json: ['$.amount > 100'],
      headers: [{ name: 'tenant', value: '7' }],
      routingKey: 'orders.eu',
      from: 1000,
      to: 2000,
    });
    const good = message('{"amount":150,"kind":"refund"}', { headers: { tenant: 7 }, time: 1500 });
    expect(q.matches(good)).toBe(true);
    expect(q.matches({ ...good, routingKey: 'orders.us' })).toBe(false);
    expect(q.matches({ ...good, time: 2001 })).toBe(false);
    expect(q.matches({ ...good, time: null })).toBe(false);
    expect(q.matches(message('{"amount":50,"kind":"refund"}', { headers: { tenant: 7 }, time: 1500 }))).toBe(false);
    expect(q.matches(message('{"amount":150,"kind":"refund"}', { headers: { tenant: Buffer.from('8') }, time: 1500 }))).toBe(false);
    expect(q.matches(message('not json refund', { headers: { tenant: '7' }, time: 1500 }))).toBe(false);
  });

  it('match a regular expression in linear time: ^(a+)+$ over 50,000 a and a ! answers at once', () => {
    const pattern = compile({ payload: { text: '^(a+)+$', regex: true } }).pattern!;
    const started = performance.now();
    expect(pattern.test(`${'a'.repeat(50_000)}!`)).toBe(false);
    expect(pattern.test('a'.repeat(50_000))).toBe(true);
    // In steps, as a search runs it: undecided until the end.
    const inSteps = pattern.start('a'.repeat(1000));
    expect(inSteps.run(600)).toBeUndefined();
    expect(inSteps.run(600)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
    expect(compile({ payload: { text: 'REFUND', ignoreCase: true } }).matches(message('a refund'))).toBe(true);
  });

  it('refuse a bad regular expression with its position, and a reversed time range', () => {
    expect(refusal(() => compile({ payload: { text: 'id=(\\d+', regex: true } }))).toMatch(
      /^PRECONDITION_FAILED - payload pattern 'id=\(\\d\+' at position 4: /,
    );
    expect(refusal(() => compile({ from: 2, to: 1 }))).toMatch(/starts \(2\) after it ends \(1\); swap from and to/);
  });
});

describe('Broker.search', () => {
  it('finds messages in a queue, a retry tier and a stream without taking them', async () => {
    const now = 1_000_000;
    const broker = new Broker({ now: () => now });
    broker.declareQueue('/', 'work', { arguments: { 'x-retry-tiers': ['1m'] } });
    broker.declareQueue('/', 'log', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    for (let i = 0; i < 30; i++) {
      const body = Buffer.from(JSON.stringify({ order: { id: i } }));
      broker.publish('/', '', 'work', { messageId: `m${i}` }, body);
      broker.publish('/', '', 'log', { messageId: `m${i}` }, body);
    }
    // Reject order 3 into the tier.
    const channel = broker.openConnection({ vhost: '/', user: 'app', clientProperties: {}, peerAddress: 'test' }).openChannel(1);
    const got = [0, 1, 2, 3].map(() => channel.get('work', false)!);
    channel.reject(got[3]!.deliveryTag, false);
    for (const delivery of got.slice(0, 3)) channel.reject(delivery.deliveryTag, true);
    await broker.stored();
    const inQueue = await broker.search.find({ vhost: '/', name: 'work' }, { json: ['$.order.id >= 25'] });
    expect(inQueue.hits.map((h) => h.properties.messageId)).toEqual(['m25', 'm26', 'm27', 'm28', 'm29']);
    expect(inQueue.progress).toMatchObject({ state: 'finished', scanned: 29, total: 29, matched: 5 });
    const tier = broker.retries.list('/').find((t) => t.queue === 'work')!.tiers[0]!.holding;
    const inTier = await broker.search.find({ vhost: '/', name: tier }, { payload: { text: '"id":3}' } });
    expect(inTier.hits.map((h) => h.properties.messageId)).toEqual(['m3']);
    const inStream = await broker.search.find({ vhost: '/', name: 'log' }, { messageId: 'm7' });
    expect(inStream.hits.map((h) => h.seq)).toEqual([7]);
    expect(broker.getQueue('/', 'work').ready).toBe(29);
    broker.close();
  });

  it('reads every message once while a consumer takes from the head and new ones arrive between slices', async () => {
    const broker = new Broker();
    broker.declareQueue('/', 'busy');
    for (let i = 0; i < 10_000; i++) broker.publish('/', '', 'busy', { messageId: `m${i}` }, Buffer.from('x'));
    const channel = broker.openConnection({ vhost: '/', user: 'app', clientProperties: {}, peerAddress: 'test' }).openChannel(1);
    const taken = new Set<string>();
    let running = true;
    const churn = () => {
      if (!running) return;
      for (let i = 0; i < 100; i++) {
        const got = channel.get('busy', true);
        if (got) taken.add(got.message.properties.messageId!);
      }
      broker.publish('/', '', 'busy', { messageId: 'late' }, Buffer.from('x')); // after the start: not read
      setImmediate(churn);
    };
    setImmediate(churn);
    const { hits, progress } = await broker.search.find({ vhost: '/', name: 'busy' }, {}, { maxHits: 10_000 });
    running = false;
    const found = hits.map((h) => h.properties.messageId!);
    expect(new Set(found).size).toBe(found.length);
    expect(found).not.toContain('late');
    // Whatever was not taken away was found, in order.
    const expected = Array.from({ length: 10_000 }, (_, i) => `m${i}`).filter((id) => !taken.has(id) || found.includes(id));
    expect(found).toEqual(expected);
    expect(taken.size).toBeGreaterThan(300);
    expect(progress.slices).toBeGreaterThan(3);
    broker.close();
  });

  it('says which queue is missing', () => {
    const broker = new Broker();
    expect(refusal(() => broker.search.start({ vhost: '/', name: 'nope' }, {}))).toBe("NOT_FOUND - no queue 'nope' in vhost '/'");
    broker.close();
  });
});
