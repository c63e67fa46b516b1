import amqp, { type Channel, type ChannelModel } from 'amqplib';
import type { Broker } from '../../server/broker/broker';
import { startAmqpServer } from '../../server/amqp/server';

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
