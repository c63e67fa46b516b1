// Short strings on the wire must be UTF-8 (the rule in broker/short-string.ts):
// a name, routing key or header name whose bytes are not UTF-8 closes only
// its channel with 406, and nothing of it reaches the broker.
import { describe, expect, it } from 'vitest';
import * as spec from '../../server/amqp/codec/generated/spec';
import { withBroker } from './helpers';
import { RawClient } from './raw-client';

const PLACEHOLDER = 'Z'.repeat(200);

/** Sends what `encode` queues, with the placeholder's bytes replaced by 0xFF (never valid in UTF-8). */
function sendWithInvalidUtf8(client: RawClient, encode: () => void): void {
  encode();
  const bytes = Buffer.concat(client.output.take());
  const at = bytes.indexOf(PLACEHOLDER);
  expect(at).toBeGreaterThan(0);
  bytes.fill(0xff, at, at + PLACEHOLDER.length);
  client.write(bytes);
}

async function expectChannelClosed(client: RawClient, classId: number, methodId: number): Promise<void> {
  const close = await client.expectMethod('channel.close');
  expect(close.args).toMatchObject({ replyCode: 406, classId, methodId });
  expect((close.args as spec.ChannelClose).replyText).toMatch(/^PRECONDITION_FAILED - a short string field .* is not valid UTF-8$/);
  client.method(1, 'writeChannelCloseOk', {});
}

/** The connection still works: another channel declares a queue. */
async function expectConnectionUsable(client: RawClient): Promise<void> {
  await client.openChannel(2);
  client.method(2, 'writeQueueDeclare', { queue: 'after', arguments: {} });
  expect((await client.expectMethod('queue.declare-ok')).args).toMatchObject({ queue: 'after' });
}

describe('short strings that are not UTF-8', () => {
  it('queue.declare: 406 on the channel, no queue, the connection goes on', async () => {
    await withBroker(async ({ broker, port }) => {
      const client = await RawClient.connect(port);
      await client.openChannel(1);
      sendWithInvalidUtf8(client, () => client.output.method(1, spec.writeQueueDeclare, { queue: PLACEHOLDER, durable: true, arguments: {} }));
      await expectChannelClosed(client, 50, 10);
      await expectConnectionUsable(client);
      expect(broker.listQueues().map((q) => q.name)).toEqual(['after']);
      client.destroy();
    });
  });

  it('basic.publish routing key and a header name in the content header: 406 on the channel', async () => {
    await withBroker(async ({ broker, port }) => {
      broker.declareQueue('/', 'q');
      const client = await RawClient.connect(port);
      await client.openChannel(1);
      sendWithInvalidUtf8(client, () => client.publish(1, '', PLACEHOLDER, Buffer.from('x')));
      await expectChannelClosed(client, 60, 40);

      await client.openChannel(1);
      sendWithInvalidUtf8(client, () => client.publish(1, '', 'q', Buffer.from('x'), { headers: { [PLACEHOLDER]: 1 } }));
      await expectChannelClosed(client, 60, 40);
      await expectConnectionUsable(client);
      expect(broker.getQueue('/', 'q').ready).toBe(0);
      client.destroy();
    });
  });

  it('names that are UTF-8 are taken as they are, up to 255 bytes, U+FFFD included', async () => {
    await withBroker(async ({ port }) => {
      const client = await RawClient.connect(port);
      await client.openChannel(1);
      for (const queue of ['€'.repeat(85), 'replacement \uFFFD char']) {
        client.method(1, 'writeQueueDeclare', { queue, arguments: {} });
        expect((await client.expectMethod('queue.declare-ok')).args).toMatchObject({ queue });
      }
      client.destroy();
    });
  });
});
