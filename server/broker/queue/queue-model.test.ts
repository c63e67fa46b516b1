// A classic queue driven by random operations and checked against a plain
// model after each step: gets return the lowest-numbered ready message (so
// requeued ones are back at their original position), with the right
// redelivered flag, and the ready/unacked counts always agree.

import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../broker';
import type { Channel } from '../channel';
import { setup } from '../test-support';

interface Entry {
  id: number;
  redelivered: boolean;
}

/** Small deterministic PRNG (mulberry32) so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let broker: Broker;
afterEach(() => broker?.close());

describe('classic queue against a model', () => {
  it.each([1, 2, 3])('agrees over 4000 random operations (seed %i)', (seed) => {
    const s = setup();
    broker = s.broker;
    let channel: Channel = s.channel;
    let nextChannel = 2;
    broker.declareQueue('/', 'q');
    const next = random(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!; // next() is in [0, 1)
    const ready: Entry[] = [];
    let unacked = new Map<number, Entry>();
    let published = 0;
    const putBack = (entry: Entry) => {
      const at = ready.findIndex((e) => e.id > entry.id);
      ready.splice(at < 0 ? ready.length : at, 0, { id: entry.id, redelivered: true });
    };

    for (let step = 0; step < 4000; step++) {
      const roll = next();
      if (roll < 0.35) {
        published++;
        broker.publish('/', '', 'q', {}, Buffer.from(String(published)));
        ready.push({ id: published, redelivered: false });
      } else if (roll < 0.65) {
        const delivery = channel.get('q', false);
        const expected = ready.shift();
        expect(delivery === null ? null : [Number(delivery.message.body.toString()), delivery.redelivered]).toEqual(
          expected === undefined ? null : [expected.id, expected.redelivered],
        );
        if (delivery && expected) unacked.set(delivery.deliveryTag, expected);
      } else if (roll < 0.97 && unacked.size > 0) {
        const tag = pick([...unacked.keys()]);
        const multiple = next() < 0.2;
        const tags = multiple ? [...unacked.keys()].filter((t) => t <= tag) : [tag];
        const action = next();
        if (action < 0.4) channel.ack(tag, multiple);
        else channel.nack(tag, multiple, action < 0.8);
        for (const t of tags) {
          if (action >= 0.4 && action < 0.8) putBack(unacked.get(t) as Entry);
          unacked.delete(t);
        }
      } else if (roll >= 0.97) {
        channel.close();
        for (const entry of [...unacked.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e)) putBack(entry);
        unacked = new Map();
        channel = s.connection.openChannel(nextChannel++);
      }
      const stats = broker.getQueue('/', 'q');
      expect([stats.ready, stats.unacked]).toEqual([ready.length, unacked.size]);
    }
  });
});
