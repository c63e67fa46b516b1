import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from './broker';
import type { Message } from './message';
import type { QueueDefinition, Store } from './store';
import { openConnection } from './test-support';

let broker: Broker;
afterEach(() => broker?.close());

/** A store that records what the engine tells it about messages and flushes when told to. */
class RecordingStore implements Store {
  readonly persistsMessages = true;
  readonly events: string[] = [];
  private pending: ((error?: Error) => void)[] = [];
  vhostCreated(): void {}
  vhostDeleted(): void {}
  exchangeDeclared(): void {}
  exchangeDeleted(): void {}
  queueDeclared(def: QueueDefinition): void {
    this.events.push(`queue+ ${def.name}`);
  }
  queueDeleted(): void {}
  bindingAdded(): void {}
  bindingRemoved(): void {}
  messageEnqueued(_vhost: string, queue: string, seq: number, message: Message, expiresAt: number): void {
    this.events.push(`msg+ ${queue}#${seq} ${message.body}${expiresAt === 0 ? '' : ` until ${expiresAt}`}`);
  }
  messageRemoved(_vhost: string, queue: string, seq: number): void {
    this.events.push(`msg- ${queue}#${seq}`);
  }
  flush(done: (error?: Error) => void): void {
    this.pending.push(done);
  }
  fsync(): void {
    for (const done of this.pending.splice(0)) done();
  }
}

describe('recovery', () => {
  it('restores stored messages at their original positions and continues numbering after them', () => {
    const store = new RecordingStore();
    broker = new Broker({ store });
    broker.declareQueue('/', 'durable', { durable: true });
    const stored = (body: string) => ({ exchange: '', routingKey: 'durable', properties: { deliveryMode: 2 }, body: Buffer.from(body) });
    broker.restoreMessage('/', 'durable', 7, stored('seven'));
    broker.restoreMessage('/', 'durable', 3, stored('three'), 1);
    broker.publish('/', '', 'durable', { deliveryMode: 2 }, Buffer.from('new'));
    const channel = openConnection(broker).openChannel(1);
    const got = [1, 2, 3].map(() => channel.get('durable', true)!);
    expect(got.map((d) => [d.message.body.toString(), d.redelivered])).toEqual([
      ['three', true],
      ['seven', false],
      ['new', false],
    ]);
    expect(store.events).toEqual(['queue+ durable', 'msg+ durable#8 new', 'msg- durable#3', 'msg- durable#7', 'msg- durable#8']);
  });

  it('tells the store when a message expires, and restores messages with that deadline (from now when none was stored)', () => {
    const store = new RecordingStore();
    let now = 1_000_000;
    broker = new Broker({ store, now: () => now });
    broker.declareQueue('/', 'ttl', { durable: true, arguments: { 'x-message-ttl': 2000 } });
    broker.declareQueue('/', 'plain', { durable: true });
    broker.publish('/', '', 'ttl', { deliveryMode: 2 }, Buffer.from('queue ttl'));
    broker.publish('/', '', 'plain', { deliveryMode: 2, expiration: '500' }, Buffer.from('own ttl'));
    broker.publish('/', '', 'plain', { deliveryMode: 2 }, Buffer.from('forever'));
    expect(store.events.filter((e) => e.startsWith('msg+'))).toEqual([
      'msg+ ttl#1 queue ttl until 1002000',
      'msg+ plain#1 own ttl until 1000500',
      'msg+ plain#2 forever',
    ]);

    broker.close();
    now = 1_001_000;
    broker = new Broker({ store: new RecordingStore(), now: () => now });
    broker.declareQueue('/', 'ttl', { durable: true, arguments: { 'x-message-ttl': 2000 } });
    broker.declareQueue('/', 'plain', { durable: true });
    const stored = (body: string, expiration?: string) => ({
      exchange: '',
      routingKey: '',
      properties: { deliveryMode: 2, expiration },
      body: Buffer.from(body),
    });
    broker.restoreMessage('/', 'ttl', 1, stored('queue ttl'), 0, 1_002_000);
    broker.restoreMessage('/', 'ttl', 2, stored('written before deadlines were stored'), 0, 0);
    broker.restoreMessage('/', 'ttl', 3, stored('also without a deadline'), 0, 0);
    broker.restoreMessage('/', 'plain', 1, stored('own ttl', '500'), 0, 1_000_500);
    broker.restoreMessage('/', 'plain', 2, stored('forever'), 0, 0);
    const channel = openConnection(broker).openChannel(1);
    expect(channel.get('plain', true)!.message.body.toString()).toBe('forever'); // 'own ttl' was due at 1000500
    now = 1_002_999;
    // Seq 1 was due at its stored 1002000; seq 2 got 2000 ms from its restore at 1001000.
    expect(channel.get('ttl', true)!.message.body.toString()).toBe('written before deadlines were stored');
    now = 1_003_000;
    expect(channel.get('ttl', true)).toBeNull();
  });
});

describe('publishing', () => {
  it('reports an unroutable message so a mandatory publish can be returned', () => {
    broker = new Broker();
    expect(broker.publish('/', 'amq.direct', 'nobody', {}, Buffer.from('x'), { mandatory: true })).toEqual({ routed: 0, unroutable: true, confirm: 'ack' });
    broker.publish('/', 'amq.direct', 'nobody', {}, Buffer.from('x'));
    expect(broker.getExchange('/', 'amq.direct').counters).toEqual({ publishedIn: 2, publishedOut: 0, unroutable: 2, returned: 1 });
  });

  it('CC and BCC headers add routing keys; BCC is hidden from consumers', () => {
    broker = new Broker();
    for (const q of ['main', 'copy', 'secret', 'other']) {
      broker.declareQueue('/', q);
      broker.bindQueue('/', q, 'amq.direct', q);
    }
    const result = broker.publish('/', 'amq.direct', 'main', { headers: { CC: ['copy'], BCC: [Buffer.from('secret')] } }, Buffer.from('x'));
    expect(result.routed).toBe(3);
    const channel = openConnection(broker).openChannel(1);
    for (const q of ['main', 'copy', 'secret']) expect(channel.get(q, true)!.message.properties.headers).toEqual({ CC: ['copy'] });
    expect(broker.getQueue('/', 'other').ready).toBe(0);
  });

  it('fan-out gives every queue the same message object and body, never a copy', () => {
    broker = new Broker();
    const channel = openConnection(broker).openChannel(1);
    for (const q of ['a', 'b', 'c']) {
      broker.declareQueue('/', q);
      broker.bindQueue('/', q, 'amq.fanout', '');
    }
    const body = Buffer.from('shared');
    expect(broker.publish('/', 'amq.fanout', '', {}, body)).toEqual({ routed: 3, unroutable: false, confirm: 'ack' });
    const got = ['a', 'b', 'c'].map((q) => channel.get(q, true)!);
    expect(got[0]!.message).toBe(got[1]!.message);
    expect(got[1]!.message).toBe(got[2]!.message);
    expect(got[0]!.message.body).toBe(body);
  });

  it('defers the confirm of a persistent message in a durable queue until the store has flushed', () => {
    const store = new RecordingStore();
    broker = new Broker({ store });
    broker.declareQueue('/', 'durable', { durable: true });
    broker.declareQueue('/', 'transient');
    const confirms: boolean[] = [];
    const onConfirm = (ack: boolean) => confirms.push(ack);
    expect(broker.publish('/', '', 'transient', { deliveryMode: 2 }, Buffer.from('t'), { onConfirm }).confirm).toBe('ack');
    expect(broker.publish('/', '', 'durable', { deliveryMode: 1 }, Buffer.from('t'), { onConfirm }).confirm).toBe('ack');
    expect(broker.publish('/', '', 'durable', { deliveryMode: 2 }, Buffer.from('p'), { onConfirm }).confirm).toBe('deferred');
    expect(confirms).toEqual([]);
    store.fsync();
    expect(confirms).toEqual([true]);
    const channel = openConnection(broker).openChannel(1);
    channel.get('durable', true); // the transient one: nothing to tell the store
    const persistent = channel.get('durable', false)!;
    channel.ack(persistent.deliveryTag, false);
    expect(store.events).toEqual(['queue+ durable', 'msg+ durable#2 p', 'msg- durable#2']);
  });
});
