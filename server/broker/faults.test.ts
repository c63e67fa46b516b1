// Faults the engine contains: a message whose dead-lettering throws stays
// where it was, is reported and counted, and the one timer keeps serving
// every other queue.
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from './broker';
import { NullStore, type Store } from './store';

/** A store that cannot record messages of one queue (as a journal that cannot encode them). */
function failingStore(failingQueue: string): Store {
  const store: Store = new NullStore();
  return Object.assign(store, {
    persistsMessages: true,
    messageEnqueued: (_vhost: string, queue: string) => {
      if (queue === failingQueue) throw new RangeError('short string longer than 255 bytes');
    },
  });
}

let broker: Broker;
afterEach(() => broker?.close());

describe('a dead-lettering that throws during expiry', () => {
  it('leaves that message in its queue, reports it once per attempt, and other queues still expire', () => {
    let now = 1_000_000;
    const faults: string[] = [];
    broker = new Broker({ now: () => now, store: failingStore('dead'), onFault: (what) => faults.push(what) });
    broker.declareQueue('/', 'dead', { durable: true });
    broker.declareQueue('/', 'ttl-dlx', {
      durable: true,
      arguments: { 'x-message-ttl': 100, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead' },
    });
    broker.declareQueue('/', 'ttl-plain', { durable: true, arguments: { 'x-message-ttl': 100 } });
    broker.publish('/', '', 'ttl-dlx', { deliveryMode: 2 }, Buffer.from('stays'));
    broker.publish('/', '', 'ttl-plain', { deliveryMode: 2 }, Buffer.from('expires'));

    now += 150;
    expect(() => broker.scheduler.runDue()).not.toThrow();
    expect(broker.getQueue('/', 'ttl-plain').ready).toBe(0);
    expect(broker.browseQueue('/', 'ttl-dlx', { limit: 5 }).map((m) => m.body.toString())).toEqual(['stays']);
    expect(faults).toEqual([`could not dead-letter an expired message of queue 'ttl-dlx' in vhost '/'; it stays in the queue`]);
    expect(broker.totals().faults).toBe(1);

    // Tried again later (not in a tight loop), and a later message of another queue still expires meanwhile.
    broker.publish('/', '', 'ttl-plain', { deliveryMode: 2 }, Buffer.from('expires too'));
    now += 150;
    broker.scheduler.runDue();
    expect(broker.getQueue('/', 'ttl-plain').ready).toBe(0);
    expect(faults).toHaveLength(1);
    now += 5_000;
    broker.scheduler.runDue();
    expect(faults).toHaveLength(2);
    expect(broker.getQueue('/', 'ttl-dlx').ready).toBe(1);
  });

  it('a wake-up that throws does not stop the scheduler', () => {
    let now = 0;
    const errors: unknown[] = [];
    broker = new Broker({ now: () => now, onFault: (_what, error) => errors.push(error) });
    const ran: string[] = [];
    broker.scheduler.schedule(10, () => {
      throw new Error('boom');
    });
    broker.scheduler.schedule(20, () => ran.push('later'));
    now = 30;
    broker.scheduler.runDue();
    expect(ran).toEqual(['later']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
  });
});
