// Helpers for the engine's tests: a broker with one connection and channel,
// a delivery collector, and an assertion on BrokerError code and text.

import { expect } from 'vitest';
import { Broker, type BrokerOptions } from './broker';
import type { Channel } from './channel';
import type { Connection } from './connection';
import type { EngineContext } from './engine-context';
import { BrokerError } from './errors';
import type { Delivery, DeliverFn } from './types';

export interface Setup {
  broker: Broker;
  connection: Connection;
  channel: Channel;
}

export function setup(options?: BrokerOptions): Setup {
  const broker = new Broker(options);
  const connection = openConnection(broker);
  return { broker, connection, channel: connection.openChannel(1) };
}

export function openConnection(broker: Broker, vhost = '/'): Connection {
  return broker.openConnection({ vhost, user: 'guest', clientProperties: {}, peerAddress: '127.0.0.1:5000' });
}

export interface Collector {
  deliveries: Delivery[];
  deliver: DeliverFn;
  /** Bodies received so far, as text. */
  texts(): string[];
}

export function collector(onDelivery?: (delivery: Delivery) => void): Collector {
  const deliveries: Delivery[] = [];
  return {
    deliveries,
    deliver: (delivery) => {
      deliveries.push(delivery);
      onDelivery?.(delivery);
    },
    texts: () => deliveries.map(text),
  };
}

export function text(delivery: { message: { body: Buffer } } | null): string {
  return delivery === null ? '<none>' : delivery.message.body.toString();
}

/** Publishes text bodies to a queue through the default exchange. */
export function publishTexts(broker: Broker, queue: string, bodies: string[], properties = {}): void {
  for (const body of bodies) broker.publish('/', '', queue, properties, Buffer.from(body));
}

/** Lets the microtask that starts a new consumer's deliveries run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function expectBrokerError(action: () => unknown, replyCode: number, replyText: string | RegExp): BrokerError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BrokerError);
  const error = caught as BrokerError;
  expect(error.replyCode).toBe(replyCode);
  if (typeof replyText === 'string') expect(error.replyText).toBe(replyText);
  else expect(error.replyText).toMatch(replyText);
  return error;
}

/**
 * The broker's engine context, for engine tests that check internal state
 * (e.g. that no retry holding area is left behind). Only tests reach it
 * this way; everything else goes through the facade.
 */
export function engineOf(broker: Broker): EngineContext {
  return (broker as unknown as { engine: EngineContext }).engine;
}
