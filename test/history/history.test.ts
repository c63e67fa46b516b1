import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { Broker } from '../../server/broker/broker';
import { BROKER_SERIES, MINUTE_MS } from '../../server/history/history-point';
import { HistoryRecorder } from '../../server/history/history-recorder';
import { BrokerSampler, type BrokerPoint } from '../../server/metrics/broker-sampler';
import { openMetadataDb, type MetadataDb } from '../../server/store/db';
import { MetricHistoryStore } from '../../server/store/metric-history';
import { testServices } from '../support/services';

// The metric history on a real SQLite file, driven with its own clock: the
// samples of each second are given their times, so a week passes in a moment.

let dir: string;
let db: MetadataDb;
let broker: Broker;
let sampler: BrokerSampler;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warren-history-'));
  db = await openMetadataDb({ dataDir: dir });
  broker = new Broker();
  sampler = new BrokerSampler(broker);
});

afterEach(async () => {
  broker.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const point = (ready: number, published = 0): BrokerPoint => ({
  rates: { published, delivered: 0, acked: 0, redelivered: 0, returned: 0, deadLettered: 0 },
  ready,
  unacked: 0,
});

function recorder(store = new MetricHistoryStore(db.prisma), retentionDays = 7) {
  return new HistoryRecorder(broker, sampler, store, { retentionDays, log: (line) => console.error(line) });
}

/** Records one sample a second from `fromMs` for `seconds` seconds, the broker as it is now. */
function run(r: HistoryRecorder, fromMs: number, seconds: number, ready: number): void {
  sampler.sample();
  for (let s = 0; s < seconds; s++) r.record({ at: fromMs + s * 1000, value: point(ready, 5) });
}

const queue = { kind: 'queue' as const, vhost: '/', name: 'orders', group: '' };
const start = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 30 * MINUTE_MS;

describe('the metric history', () => {
  it('rolls the per-second samples of each minute up to one point, per queue and for the broker', async () => {
    const r = recorder();
    broker.declareQueue('/', 'orders');
    for (let i = 0; i < 10; i++) broker.publish('/', '', 'orders', {}, Buffer.from('x'));
    run(r, start, 60, 10);
    for (let i = 0; i < 30; i++) broker.publish('/', '', 'orders', {}, Buffer.from('x'));
    run(r, start + MINUTE_MS, 30, 40);
    run(r, start + MINUTE_MS + 30_000, 31, 40); // the first second of the third minute closes the second
    await r.flushed();
    const now = start + 3 * MINUTE_MS;
    const points = await r.points(queue, 60 * MINUTE_MS, now);
    expect(points.slice(0, 2).map((p) => ({ at: p.at, ready: p.ready, consumers: p.consumers }))).toEqual([
      { at: start, ready: 10, consumers: 0 },
      { at: start + MINUTE_MS, ready: 40, consumers: 0 },
    ]);
    // The minute in progress is there too, as its averages so far.
    expect(points[2]).toMatchObject({ at: start + 2 * MINUTE_MS, ready: 40 });
    const totals = await r.points(BROKER_SERIES, 60 * MINUTE_MS, now);
    expect(totals[0]).toMatchObject({ at: start, ready: 10, publishRate: 5, deadLetterRate: 0 });
  });

  it('writes an unchanged queue once, carries it forward while Warren runs, and keeps the points across a restart', async () => {
    const r = recorder();
    broker.declareQueue('/', 'orders');
    broker.publish('/', '', 'orders', {}, Buffer.from('x'));
    for (let m = 0; m <= 5; m++) run(r, start + m * MINUTE_MS, 60, 1);
    await r.flushed();
    expect(await db.prisma.metricPoint.count({ where: { minute: { gte: start / MINUTE_MS } } })).toBe(5 + 1); // five broker minutes, one queue point
    await db.close();

    db = await openMetadataDb({ dataDir: dir });
    const reopened = recorder();
    const points = await reopened.points(queue, 60 * MINUTE_MS, start + 6 * MINUTE_MS);
    expect(points.map((p) => [p.at, p.ready])).toEqual([0, 1, 2, 3, 4].map((m) => [start + m * MINUTE_MS, 1]));
  });

  it('deletes points older than the retention, and the series left without points', async () => {
    const r = recorder(undefined, 7);
    broker.declareQueue('/', 'old');
    const eightDaysAgo = start - 8 * 24 * 60 * MINUTE_MS;
    run(r, eightDaysAgo, 61, 0);
    await r.flushed();
    expect(await db.prisma.metricSeries.count({ where: { name: 'old' } })).toBe(1);
    broker.deleteQueue('/', 'old');
    broker.declareQueue('/', 'orders');
    run(r, start, 61, 0); // its first minute's write also prunes
    await r.flushed();
    const minutes = (await db.prisma.metricPoint.findMany({ select: { minute: true } })).map((p) => p.minute * MINUTE_MS);
    expect(minutes.length).toBeGreaterThan(0);
    expect(minutes.every((m) => m >= start)).toBe(true);
    expect(await db.prisma.metricSeries.count({ where: { name: 'old' } })).toBe(0);
    expect(await db.prisma.metricSeries.count({ where: { name: 'orders' } })).toBe(1);
  });

  it("answers the console's chart ranges: the last hour, day and week of a queue, broker-wide for those who see every vhost", async () => {
    const services = testServices(broker, db);
    const as = (name: string, tags: string[]) => appRouter.createCaller({ services, user: { name, tags }, peerAddress: '127.0.0.1', setCookie: () => {} });
    const minuteNow = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const twoDaysAgo = minuteNow - 2 * 24 * 60 * MINUTE_MS;
    const halfAnHourAgo = minuteNow - 30 * MINUTE_MS;
    const record = (from: number, ready: number) => {
      services.brokerSampler.sample();
      for (let s = 0; s <= 60; s++) services.history.record({ at: from + s * 1000, value: point(ready) });
    };
    broker.declareQueue('/', 'orders');
    for (let i = 0; i < 3; i++) broker.publish('/', '', 'orders', {}, Buffer.from('x'));
    record(twoDaysAgo, 3);
    for (let i = 0; i < 2; i++) broker.publish('/', '', 'orders', {}, Buffer.from('x'));
    record(halfAnHourAgo, 5);
    await services.history.flushed();

    const admin = as('admin', ['administrator']);
    const ready = async (range: '1h' | '24h' | '7d') =>
      (await admin.history.queue({ vhost: '/', name: 'orders', range })).filter((p) => p.at < halfAnHourAgo + MINUTE_MS).map((p) => [p.at, p.ready]);
    expect(await ready('1h')).toEqual([[halfAnHourAgo, 5]]);
    expect(await ready('24h')).toEqual([[halfAnHourAgo, 5]]);
    // A week is drawn in 7-minute averages (a chart gets at most 1,500 points): the minute two days ago is in the one that holds it.
    const week = await ready('7d');
    expect(week.find(([at]) => at! <= twoDaysAgo && twoDaysAgo < at! + 7 * MINUTE_MS)?.[1]).toBe(3);
    expect(week.at(-1)?.[1]).toBe(5);
    expect((await admin.history.broker({ range: '24h' })).find((p) => p.at === halfAnHourAgo)).toMatchObject({ ready: 5 });

    const manager = as('manager', ['management']);
    expect((await manager.history.queue({ vhost: '/', name: 'orders', range: '1h' }))[0]).toMatchObject({ at: halfAnHourAgo, ready: 5 });
    const refused = await manager.history.broker({ range: '1h' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).message).toBe('Broker-wide figures are for users tagged monitoring or administrator.');
  });

  it('writes a minute of 10,000 queues in one transaction of slices, with short event-loop pauses', async () => {
    const r = recorder();
    for (let i = 0; i < 10_000; i++) broker.declareQueue('/', `q${i}`);
    const pauses: number[] = [];
    for (let m = 0; m < 4; m++) {
      // Every queue changes every minute: the worst case for the size.
      for (let i = 0; i < 10_000; i++) broker.publish('/', '', `q${i}`, {}, Buffer.from('x'));
      sampler.sample();
      const at = start + m * MINUTE_MS;
      r.record({ at, value: point(m) });
      await r.flushed();
      // The next minute's first second sets off the write; the longest pause of the event loop is measured while it runs.
      r.record({ at: at + MINUTE_MS, value: point(m) });
      let longest = 0;
      let last = performance.now();
      const probe = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 1);
      await r.flushed();
      clearInterval(probe);
      pauses.push(longest);
      expect(r.lastWrite?.rows).toBe(10_001);
    }
    expect(await db.prisma.metricPoint.count()).toBeGreaterThanOrEqual(4 * 10_001);
    console.log(
      `10,000 queues: a minute written in ${r.lastWrite?.ms.toFixed(0)} ms; longest event-loop pauses ${pauses.map((p) => p.toFixed(0)).join(', ')} ms`,
    );
    // The first minute also creates the 10,000 series; later ones only add points.
    expect(Math.max(...pauses.slice(1))).toBeLessThan(100);
  }, 120_000);
});
