import { describe, expect, it } from 'vitest';
import { withBroker, withChannel } from './helpers';

// The console's move of a large queue works in slices: AMQP clients keep
// their round trips short meanwhile, the move reports progress and can be
// cancelled, and nothing is lost either way.

const MESSAGES = 200_000;

function fill(broker: import('../../server/broker/broker').Broker, queue: string, count: number): void {
  const body = Buffer.alloc(64, 7);
  for (let i = 0; i < count; i++) broker.publish('/', '', queue, { messageId: String(i) }, body);
}

describe('moving 200,000 messages from the console', () => {
  it(
    'keeps an amqplib round trip under 50 ms meanwhile and moves every message in order',
    () =>
      withBroker(async ({ broker, url }) => {
        broker.declareQueue('/', 'big');
        broker.declareQueue('/', 'dest');
        fill(broker, 'big', MESSAGES);
        await withChannel(url, async (ch) => {
          await ch.assertQueue('probe');
          const roundTrips: number[] = [];
          let moving = true;
          let sawProgress = false;
          const probe = (async () => {
            while (moving) {
              const t = performance.now();
              await ch.checkQueue('probe');
              roundTrips.push(performance.now() - t);
              const op = broker.operations.list().find((o) => o.kind === 'move' && o.state === 'running');
              if (op && op.done > 0 && op.done < MESSAGES) sawProgress = true;
            }
          })();
          const moved = await broker.moveMessages('/', 'big', 'dest', 'all');
          moving = false;
          await probe;

          expect(moved).toBe(MESSAGES);
          expect(broker.getQueue('/', 'dest').ready).toBe(MESSAGES);
          expect(broker.getQueue('/', 'big').ready).toBe(0);
          const ends = broker.browseQueue('/', 'dest', { offset: MESSAGES - 1, limit: 1 });
          expect(ends[0]!.properties.messageId).toBe(String(MESSAGES - 1));
          expect(sawProgress).toBe(true);
          roundTrips.sort((a, b) => a - b);
          expect(roundTrips.length).toBeGreaterThan(20);
          expect(roundTrips[Math.floor(roundTrips.length * 0.99)]).toBeLessThan(50);
          expect(broker.operations.list()[0]).toMatchObject({ kind: 'move', state: 'finished', done: MESSAGES, total: MESSAGES });
        });
      }),
    60_000,
  );

  it('a cancelled move stops after its slice; what moved stays moved, the rest stays put', () =>
    withBroker(async ({ broker }) => {
      broker.declareQueue('/', 'big');
      broker.declareQueue('/', 'dest');
      fill(broker, 'big', 50_000);
      const move = broker.moveMessages('/', 'big', 'dest', 'all');
      // Look between every two slices (they yield with setImmediate too), so a
      // busy machine cannot let the whole move run between two looks.
      let running = broker.operations.list().find((o) => o.state === 'running' && o.done > 0);
      while (!running) {
        expect(
          broker.operations.list().filter((o) => o.state !== 'running'),
          'the move ended before it could be cancelled',
        ).toEqual([]);
        await new Promise((resolve) => setImmediate(resolve));
        running = broker.operations.list().find((o) => o.state === 'running' && o.done > 0);
      }
      expect(broker.operations.cancel(running.id)).toBe(true);
      const moved = await move;
      expect(moved).toBeLessThan(50_000);
      expect(broker.getQueue('/', 'dest').ready).toBe(moved);
      expect(broker.getQueue('/', 'big').ready).toBe(50_000 - moved);
      expect(broker.operations.list()[0]).toMatchObject({ state: 'cancelled', done: moved });
    }));
});
