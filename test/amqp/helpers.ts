import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Broker, type BrokerOptions } from '../../server/broker/broker';
import { startAmqpServer, type AmqpServerHandle, type AmqpServerOptions } from '../../server/amqp/server';

/** A real Broker and AMQP listener on an ephemeral loopback port, for one test. */
export interface TestBroker {
  broker: Broker;
  server: AmqpServerHandle;
  url: string;
  port: number;
}

export async function withBroker<T>(
  fn: (b: TestBroker) => Promise<T>,
  options: Partial<Omit<AmqpServerOptions, 'broker' | 'port'>> = {},
  /** For the Broker itself, e.g. file-backed stream storage. */
  brokerOptions: BrokerOptions = {},
): Promise<T> {
  const broker = new Broker(brokerOptions);
  const server = await startAmqpServer({ broker, host: '127.0.0.1', port: 0, ...options });
  try {
    return await fn({ broker, server, port: server.port, url: `amqp://guest:guest@127.0.0.1:${server.port}` });
  } finally {
    await server.close();
    broker.close();
  }
}

/** An amqplib connection and channel, closed afterwards (unless the test closed them). */
export async function withChannel<T>(url: string, fn: (ch: Channel, conn: ChannelModel) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(url);
  conn.on('error', () => {});
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    return await fn(ch, conn);
  } finally {
    await conn.close().catch(() => {});
  }
}

export async function withConfirmChannel<T>(url: string, fn: (ch: ConfirmChannel, conn: ChannelModel) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(url);
  conn.on('error', () => {});
  try {
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => {});
    return await fn(ch, conn);
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Polls `check` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the error a channel or connection emits, or the rejection of `action`. */
export async function expectClose(
  emitter: { once(event: 'error', fn: (err: Error) => void): unknown },
  action: () => unknown,
): Promise<Error & { code?: number }> {
  const emitted = new Promise<Error>((resolve) => emitter.once('error', resolve));
  try {
    await action();
  } catch {
    // amqplib rejects the pending call and emits the close error; the emitted one carries the code
  }
  return (await emitted) as Error & { code?: number };
}
