// Message search, engine alone, in process: 1,000,000 JSON messages of about
// 80 bytes in one queue, searched for 10 of them (a payload substring plus a
// JSON path condition), then with a regular expression. Reports wall time,
// slices (the event loop is free between two), the longest slice gap seen by
// a timer that ticks every millisecond meanwhile (what an AMQP client would
// wait at worst), and that the depth did not change.
//
// Run: npx tsx bench/search-scale.ts   (prints one JSON line)

import { Broker } from '../server/broker/broker';
import type { SearchQuery } from '../server/broker/broker';

const MESSAGES = 1_000_000;

const broker = new Broker();
broker.declareQueue('/', 'orders');
for (let i = 0; i < MESSAGES; i++) {
  const refund = i % 100_000 === 4_242;
  const body = Buffer.from(JSON.stringify({ order: { id: i }, kind: refund ? 'refund' : 'sale', amount: refund ? 150 : 20 }));
  broker.publish('/', '', 'orders', { messageId: `order-${i}` }, body);
}

async function measure(query: SearchQuery) {
  let longestGapMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const t = performance.now();
    longestGapMs = Math.max(longestGapMs, t - last);
    last = t;
  }, 1);
  const { progress } = await broker.search.find({ vhost: '/', name: 'orders' }, query);
  clearInterval(ticker);
  return {
    seconds: Number((progress.elapsedMs / 1000).toFixed(2)),
    slices: progress.slices,
    matched: progress.matched,
    scanned: progress.scanned,
    longestEventLoopGapMs: Number(longestGapMs.toFixed(1)),
  };
}

const substringAndJson = await measure({ payload: { text: 'refund' }, json: ['$.amount > 100'] });
const jsonOnly = await measure({ json: ['$.order.id == 424242'] });
const regex = await measure({ payload: { text: '"id":\\d*4242}', regex: true } });
console.log(
  JSON.stringify({
    workload: 'search-1m',
    messages: MESSAGES,
    depthAfter: broker.getQueue('/', 'orders').ready,
    substringAndJson,
    jsonOnly,
    regex,
  }),
);
broker.close();
