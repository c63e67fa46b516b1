import { describe, expect, it } from 'vitest';
import { Message } from '../../broker/message';
import { contents, flushed, listed, openJournal, persistentMessage, reopen, segmentFiles, tempJournalDir } from './test-support';

describe('journal: write and replay', () => {
  it('starts empty and recovers nothing from a new directory', () => {
    const { recovery } = openJournal(tempJournalDir());
    expect(recovery.queues).toEqual([]);
    expect(recovery.skipped).toEqual([]);
  });

  it('round-trips messages with their exchange, routing key, properties and body', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const sent = new Message(
      7,
      'orders.x',
      'order.created',
      {
        contentType: 'application/json',
        deliveryMode: 2,
        priority: 3,
        correlationId: 'c-1',
        replyTo: 'replies',
        expiration: '60000',
        messageId: 'm-7',
        timestamp: 1_700_000_000,
        type: 'created',
        userId: 'guest',
        appId: 'shop',
        headers: {
          'x-count': 3,
          big: 2 ** 40,
          ratio: 0.5,
          flag: true,
          name: 'ü',
          raw: Buffer.from([0, 1, 2]),
          when: new Date(1_700_000_000_000),
          nested: { list: [1, 'two', null] },
        },
      },
      Buffer.from('{"order":42}'),
    );
    journal.enqueue('/', 'orders', 1, sent);
    await flushed(journal);
    const { recovery } = await reopen(journal, dir);
    expect(recovery.queues).toHaveLength(1);
    const queue = recovery.queues[0]!;
    expect(queue.vhost).toBe('/');
    expect(queue.name).toBe('orders');
    expect(queue.messages).toHaveLength(1);
    const got = listed(queue)[0]!;
    expect(got.seq).toBe(1);
    expect(got.message).toBeInstanceOf(Message);
    expect(got.message.id).toBe(7);
    expect(got.message.exchange).toBe('orders.x');
    expect(got.message.routingKey).toBe('order.created');
    expect(got.message.properties).toEqual(sent.properties);
    expect(got.message.body.equals(sent.body)).toBe(true);
    expect(recovery.maxMessageId).toBe(7);
  });

  it('writes a body shared by several queues once and recovers it in each', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const shared = persistentMessage(1, 10_000);
    journal.enqueue('/', 'a', 1, shared);
    journal.enqueue('/', 'b', 1, shared);
    journal.enqueue('/', 'c', 5, shared);
    await flushed(journal);
    expect(journal.stats().messages).toBe(1);
    expect(journal.stats().bytesWritten).toBeLessThan(11_000);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({ '/:a': [[1, 'message 1']], '/:b': [[1, 'message 1']], '/:c': [[5, 'message 1']] });
    // One Message object for the three queues, as the engine shares it.
    const [a, b] = recovery.queues;
    expect(listed(a)[0]!.message).toBe(listed(b)[0]!.message);
  });

  it('keeps queues of different vhosts apart and returns each queue in seq order', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    for (const seq of [3, 1, 2]) journal.enqueue('v1', 'q', seq, persistentMessage(seq));
    journal.enqueue('v2', 'q', 1, persistentMessage(10));
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({
      'v1:q': [
        [1, 'message 1'],
        [2, 'message 2'],
        [3, 'message 3'],
      ],
      'v2:q': [[1, 'message 10']],
    });
    expect(recovery.messages).toBe(4);
  });

  it('forgets settled messages and ignores settling one it never held', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    for (let seq = 1; seq <= 4; seq++) journal.enqueue('/', 'q', seq, persistentMessage(seq));
    expect(journal.remove('/', 'q', 2)).toBe(true);
    expect(journal.remove('/', 'q', 4)).toBe(true);
    expect(journal.remove('/', 'q', 99)).toBe(false);
    expect(journal.remove('/', 'other', 1)).toBe(false);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({
      '/:q': [
        [1, 'message 1'],
        [3, 'message 3'],
      ],
    });
  });

  it('keeps a shared body while any queue still holds it', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const shared = persistentMessage(1);
    journal.enqueue('/', 'a', 1, shared);
    journal.enqueue('/', 'b', 1, shared);
    journal.remove('/', 'a', 1);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({ '/:b': [[1, 'message 1']] });
  });

  it('makes purge and delete durable, and a queue of the same name starts afresh', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    for (let seq = 1; seq <= 3; seq++) journal.enqueue('/', 'purged', seq, persistentMessage(seq));
    journal.enqueue('/', 'kept', 1, persistentMessage(4));
    journal.dropQueue('/', 'purged');
    journal.dropQueue('/', 'never-seen');
    journal.enqueue('/', 'purged', 1, persistentMessage(5));
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({ '/:kept': [[1, 'message 4']], '/:purged': [[1, 'message 5']] });
  });

  it('moves a message to another queue atomically', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    journal.enqueue('/', 'dlq', 1, persistentMessage(1));
    journal.enqueue('/', 'dlq', 2, persistentMessage(2));
    expect(journal.move('/', 'dlq', 1, 'orders', 10)).toBe(true);
    expect(journal.move('/', 'dlq', 99, 'orders', 11)).toBe(false);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({ '/:dlq': [[2, 'message 2']], '/:orders': [[10, 'message 1']] });
  });

  it('refuses a second message under an id the journal already holds', () => {
    const { journal } = openJournal(tempJournalDir());
    journal.enqueue('/', 'q', 1, persistentMessage(1));
    expect(() => journal.enqueue('/', 'q', 2, persistentMessage(1))).toThrow(/already in the journal/);
  });

  it('refuses a seq the queue still holds, so that a kept message is never replaced', async () => {
    const dir = tempJournalDir();
    const first = openJournal(dir);
    first.journal.enqueue('/', 'q', 1, persistentMessage(1));
    first.journal.enqueue('/', 'other', 7, persistentMessage(2));
    const { journal } = await reopen(first.journal, dir);
    expect(() => journal.enqueue('/', 'q', 1, persistentMessage(3))).toThrow(/already holds a message at seq 1/);
    expect(() => journal.move('/', 'other', 7, 'q', 1)).toThrow(/already holds a message at seq 1/);
    journal.remove('/', 'q', 1);
    journal.enqueue('/', 'q', 1, persistentMessage(4));
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({ '/:other': [[7, 'message 2']], '/:q': [[1, 'message 4']] });
  });

  it('writes nothing for a message that cannot be encoded', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    journal.enqueue('/', 'q', 1, persistentMessage(1));
    const tooLong = new Message(2, 'ex', 'k'.repeat(300), { deliveryMode: 2 }, Buffer.from('x'));
    expect(() => journal.enqueue('/', 'q', 2, tooLong)).toThrow(RangeError);
    journal.enqueue('/', 'q', 3, persistentMessage(3));
    const { recovery } = await reopen(journal, dir);
    expect(recovery.skipped).toEqual([]);
    expect(contents(recovery)).toEqual({
      '/:q': [
        [1, 'message 1'],
        [3, 'message 3'],
      ],
    });
  });

  it('survives several restarts, each opening a new segment', async () => {
    const dir = tempJournalDir();
    let { journal } = openJournal(dir);
    journal.enqueue('/', 'q', 1, persistentMessage(1));
    ({ journal } = await reopen(journal, dir));
    journal.enqueue('/', 'q', 2, persistentMessage(2));
    journal.remove('/', 'q', 1);
    ({ journal } = await reopen(journal, dir));
    journal.enqueue('/', 'q', 3, persistentMessage(3));
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)).toEqual({
      '/:q': [
        [2, 'message 2'],
        [3, 'message 3'],
      ],
    });
    expect(segmentFiles(dir).length).toBeGreaterThanOrEqual(2);
  });

  it('copies recovered bodies out of a mostly dead segment so that its bytes can be freed', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    for (let id = 1; id <= 100; id++) journal.enqueue('/', 'q', id, persistentMessage(id, 1000));
    for (let id = 1; id <= 100; id++) if (id % 20 !== 0) journal.remove('/', 'q', id);
    const { recovery } = await reopen(journal, dir);
    expect(contents(recovery)['/:q']!.map(([seq]) => seq)).toEqual([20, 40, 60, 80, 100]);
    for (const { message } of listed(recovery.queues[0])) expect(message.body.buffer.byteLength).toBeLessThanOrEqual(5 * 1000);
  });

  it('recovers bodies as copies that keep no segment bytes alive, large ones in buffers of their own', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    for (let id = 1; id <= 3000; id++) journal.enqueue('/', 'q', id, persistentMessage(id, 1000));
    journal.enqueue('/', 'q', 3001, persistentMessage(3001, 300_000));
    const { recovery } = await reopen(journal, dir);
    const messages = listed(recovery.queues[0]);
    expect(messages).toHaveLength(3001);
    // The segment holds over 3 MB; a shared slab is 1 MiB.
    for (const { message } of messages.slice(0, 3000)) expect(message.body.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
    expect(messages[3000]!.message.body.buffer.byteLength).toBe(300_000);
    expect(contents(recovery)['/:q']![2999]).toEqual([3000, 'message 3000']);
  });

  it('recovers the bodies and byte-array headers of every segment intact, later segments read over earlier ones', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir, { segmentBytes: 8 * 1024 });
    // The first segment is the largest, so each later one is read over it.
    for (let id = 1; id <= 120; id++) {
      journal.enqueue('/', 'q', id, persistentMessage(id, id === 1 ? 20_000 : 500, { tag: Buffer.from(`tag ${id}`) }));
      if (id % 10 === 1) await flushed(journal); // a segment rolls over at a flush
    }
    const { recovery } = await reopen(journal, dir);
    expect(segmentFiles(dir).length).toBeGreaterThanOrEqual(6);
    const got = listed(recovery.queues[0]).map(({ message }) => [message.body.toString().replace(/\.+$/, ''), String(message.properties.headers?.tag)]);
    expect(got).toEqual(Array.from({ length: 120 }, (_, k) => [`message ${k + 1}`, `tag ${k + 1}`]));
  });

  it('gives every recovered message its own properties and routing key, repeated or not', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    const sent = [
      new Message(1, 'ex', 'k1', { deliveryMode: 2, contentType: 'text/plain' }, Buffer.from('1')),
      new Message(2, 'ex', 'k1', { deliveryMode: 2, contentType: 'text/plain' }, Buffer.from('2')),
      new Message(3, 'other', 'k2', { deliveryMode: 2, headers: { n: 3 } }, Buffer.from('3')),
      new Message(4, 'ex', 'k1', { deliveryMode: 2, headers: { n: 4 } }, Buffer.from('4')),
      new Message(5, '', 'k1', { deliveryMode: 2, contentType: 'text/plain' }, Buffer.from('5')),
    ];
    sent.forEach((message, i) => journal.enqueue('/', 'q', i + 1, message));
    const { recovery } = await reopen(journal, dir);
    const got = listed(recovery.queues[0]).map(({ message }) => ({
      id: message.id,
      exchange: message.exchange,
      routingKey: message.routingKey,
      properties: message.properties,
      body: message.body.toString(),
    }));
    expect(got).toEqual(sent.map((m) => ({ id: m.id, exchange: m.exchange, routingKey: m.routingKey, properties: m.properties, body: m.body.toString() })));
  });

  it('brings delivered, unacked messages back as redelivered, writing the mark once', async () => {
    const dir = tempJournalDir();
    const { journal } = openJournal(dir);
    for (let seq = 1; seq <= 3; seq++) journal.enqueue('/', 'q', seq, persistentMessage(seq));
    await flushed(journal);
    const before = journal.stats().bytesWritten;
    journal.delivered('/', 'q', 2);
    await flushed(journal);
    const oneMark = journal.stats().bytesWritten - before;
    journal.delivered('/', 'q', 2);
    journal.delivered('/', 'q', 99);
    journal.delivered('/', 'nowhere', 1);
    await flushed(journal);
    expect(journal.stats().bytesWritten - before).toBe(oneMark);
    const { recovery } = await reopen(journal, dir);
    expect(listed(recovery.queues[0]).map(({ seq, redelivered }) => [seq, redelivered])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });
});
