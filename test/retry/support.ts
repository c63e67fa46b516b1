// Helpers of the retry tests: serving a Broker built by the test, and waiting for a message.

import amqp, { type Channel, type ChannelModel, type GetMessage, type Options } from 'amqplib';
import type { Broker } from '../../server/broker/broker';
import { startAmqpServer } from '../../server/amqp/server';
import { waitFor } from '../amqp/helpers';

/** Serves a given Broker (e.g. one with a CaptureStore) over AMQP with one amqplib channel; stop() closes all three. */
export async function serveBroker(broker: Broker): Promise<{ ch: Channel; conn: ChannelModel; stop(): Promise<void> }> {
  const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0 });
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}`);
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  return {
    ch,
    conn,
    async stop() {
      await conn.close().catch(() => {});
      await server.close();
      broker.close();
    },
  };
}

/** Polls basic.get on `queue` until a message is there. */
export async function getWhenThere(ch: Channel, queue: string, timeoutMs = 5000, options?: Options.Get): Promise<GetMessage> {
  const message = await waitFor(async () => (await ch.get(queue, options)) || null, timeoutMs, `a message in '${queue}'`);
  return message as GetMessage;
}
