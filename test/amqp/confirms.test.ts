import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStreamStorage } from '../../server/store/stream/file-stream-storage';
import { waitFor, withBroker, withConfirmChannel } from './helpers';
import { RawClient } from './raw-client';

// Tutorial 7: publisher confirms, in its three strategies, plus the wire-level multiple flag.

describe('tutorial 7: publisher confirms', () => {
  it('confirms messages one at a time', () =>
    withBroker(({ url }) =>
      withConfirmChannel(url, async (ch) => {
        await ch.assertQueue('confirms', { durable: true });
        for (let i = 0; i < 20; i++) {
          ch.sendToQueue('confirms', Buffer.from(`m${i}`), { persistent: true });
          await ch.waitForConfirms();
        }
        expect((await ch.checkQueue('confirms')).messageCount).toBe(20);
      }),
    ));

  it('confirms messages in batches', () =>
    withBroker(({ url }) =>
      withConfirmChannel(url, async (ch) => {
        await ch.assertQueue('batch');
        for (let batch = 0; batch < 5; batch++) {
          for (let i = 0; i < 100; i++) ch.sendToQueue('batch', Buffer.from('x'));
          await ch.waitForConfirms();
        }
        expect((await ch.checkQueue('batch')).messageCount).toBe(500);
      }),
    ));

  it('handles confirms asynchronously, each callback called once with no error', () =>
    withBroker(({ url }) =>
      withConfirmChannel(url, async (ch) => {
        await ch.assertQueue('async');
        const outcomes: (Error | null)[] = [];
        for (let i = 0; i < 1000; i++) ch.sendToQueue('async', Buffer.from(String(i)), {}, (err) => outcomes.push(err));
        await waitFor(() => outcomes.length === 1000);
        expect(outcomes.every((e) => e === null)).toBe(true);
      }),
    ));

  it('confirms unroutable messages too, after returning them when mandatory', () =>
    withBroker(({ url }) =>
      withConfirmChannel(url, async (ch) => {
        const events: string[] = [];
        ch.on('return', (m) => events.push(`return ${m.fields.replyCode} ${m.fields.replyText} ${m.content.toString()}`));
        ch.publish('', 'nowhere', Buffer.from('lost'), { mandatory: true }, (err) => events.push(`confirm ${err === null}`));
        await waitFor(() => events.length === 2);
        expect(events).toEqual(['return 312 NO_ROUTE lost', 'confirm true']);
      }),
    ));
});

describe('confirm acks on the wire', () => {
  it('acknowledges a burst with multiple=true', () =>
    withBroker(async ({ port }) => {
      // A raw client, to see the basic.ack frames themselves.
      const client = await RawClient.connect(port);
      await client.openChannel(1);
      client.method(1, 'writeConfirmSelect', { nowait: false });
      await client.expectMethod('confirm.select-ok');
      client.method(1, 'writeQueueDeclare', {
        queue: 'burst',
        passive: false,
        durable: false,
        exclusive: false,
        autoDelete: false,
        nowait: false,
        arguments: {},
      });
      await client.expectMethod('queue.declare-ok');
      for (let i = 0; i < 50; i++) client.publish(1, '', 'burst', Buffer.from('m'));
      client.flush();
      const acks: { deliveryTag: number; multiple: boolean }[] = [];
      await waitFor(async () => {
        const m = await client.nextMethod();
        if (m.name === 'basic.ack') acks.push(m.args as { deliveryTag: number; multiple: boolean });
        return acks.at(-1)?.deliveryTag === 50;
      });
      expect(acks.length).toBeLessThan(50);
      expect(acks.at(-1)).toEqual({ deliveryTag: 50, multiple: true });
      client.destroy();
    }));
});

describe('confirm nacks', () => {
  it('nacks a message a full queue refuses (x-overflow reject-publish)', () =>
    withBroker(({ url }) =>
      withConfirmChannel(url, async (ch) => {
        await ch.assertQueue('strict', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
        const outcomes: string[] = [];
        for (const body of ['kept', 'refused']) ch.sendToQueue('strict', Buffer.from(body), {}, (err) => outcomes.push(`${body}: ${err ? 'nack' : 'ack'}`));
        await waitFor(() => outcomes.length === 2);
        expect(outcomes).toEqual(['kept: ack', 'refused: nack']);
      }),
    ));
});

describe('confirms that wait for the disk', () => {
  it('acks publishes to a file-backed stream once it has synced, coalesced with multiple=true', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-amqp-'));
    try {
      await withBroker(
        async ({ port }) => {
          const client = await RawClient.connect(port);
          await client.openChannel(1);
          client.method(1, 'writeConfirmSelect', {});
          await client.expectMethod('confirm.select-ok');
          client.method(1, 'writeQueueDeclare', { queue: 'log', durable: true, arguments: { 'x-queue-type': 'stream' } });
          await client.expectMethod('queue.declare-ok');
          for (let i = 0; i < 200; i++) client.publish(1, '', 'log', Buffer.from(`entry ${i}`), { deliveryMode: 2 });
          client.flush();
          const acks: { deliveryTag: number; multiple: boolean }[] = [];
          while (acks.at(-1)?.deliveryTag !== 200) {
            const m = await client.nextMethod();
            expect(m.name).toBe('basic.ack');
            acks.push(m.args as { deliveryTag: number; multiple: boolean });
          }
          // Every tag answered, in order, in fewer frames than messages.
          expect(acks.length).toBeLessThan(200);
          expect(acks.every((a, i) => i === 0 || a.deliveryTag > acks[i - 1]!.deliveryTag)).toBe(true);
          client.destroy();
        },
        {},
        { streams: new FileStreamStorage(dir) },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
