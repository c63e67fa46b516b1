// The clients of a failover run (the kill -9 test, the Patroni script): an
// amqplib client that keeps a list of node URLs and reconnects to the next
// one when its node goes, as an application does; a publisher of numbered
// confirmed messages and a consumer that acks what it gets, both carrying on
// over reconnects until told to stop.

import amqp, { type ChannelModel } from 'amqplib';
import { pause } from './support';

/** Connects to the first of `urls()` that answers, starting after the one used last. */
export function reconnecting(urls: () => string[], retryMs = 100): () => Promise<ChannelModel> {
  let next = 0;
  return async () => {
    for (;;) {
      const list = urls();
      const url = list[next++ % list.length]!;
      try {
        const connection = await amqp.connect(url);
        connection.on('error', () => {});
        return connection;
      } catch {
        await pause(retryMs);
      }
    }
  };
}

export interface FailoverPublisher {
  /** Numbers of the messages confirmed. */
  confirmed: Set<number>;
  /** Messages sent (numbered from 0). */
  readonly published: number;
  readonly nacked: number;
  /** Date.now() of the last confirm. */
  readonly lastConfirmAt: number;
  stop(): Promise<void>;
}

/** Publishes `queue` the numbers 0, 1, 2… as persistent messages, 20 per wait for confirms, until `stop`. */
export function publishNumbers(connect: () => Promise<ChannelModel>, queue: string): FailoverPublisher {
  let running = true;
  const state = { confirmed: new Set<number>(), published: 0, nacked: 0, lastConfirmAt: 0 };
  const done = (async () => {
    while (running) {
      const connection = await connect();
      try {
        const ch = await connection.createConfirmChannel();
        ch.on('error', () => {});
        while (running) {
          for (let k = 0; k < 20; k++) {
            const i = state.published++;
            ch.sendToQueue(queue, Buffer.from(String(i)), { persistent: true }, (error) => {
              if (error) state.nacked++;
              else {
                state.confirmed.add(i);
                state.lastConfirmAt = Date.now();
              }
            });
          }
          await ch.waitForConfirms().catch(() => pause(50)); // nacked: those are not confirmed; go on
        }
      } catch {
        // the node went away: the next one from the list
      }
      await connection.close().catch(() => {});
    }
  })();
  return Object.assign(state, {
    stop: () => {
      running = false;
      return done;
    },
  });
}

/** Consumes `queue` with `prefetch`, acking each message, until `stop`; `received` has the numbers in arrival order. */
export function consumeNumbers(
  connect: () => Promise<ChannelModel>,
  queue: string,
  prefetch: number,
): { received: number[]; redelivered: Set<number>; stop(): Promise<void> } {
  let consuming = true;
  const received: number[] = [];
  /** The numbers that came at least once with the redelivered flag. */
  const redelivered = new Set<number>();
  const done = (async () => {
    while (consuming) {
      const connection = await connect();
      const closed = new Promise((resolve) => connection.once('close', resolve));
      try {
        const ch = await connection.createChannel();
        ch.on('error', () => {});
        await ch.prefetch(prefetch);
        const consume = async () => {
          await ch.consume(queue, (m) => {
            if (m === null) {
              void pause(200)
                .then(consume)
                .catch(() => {}); // cancelled by the server: consume again
              return;
            }
            received.push(Number(m.content.toString()));
            if (m.fields.redelivered) redelivered.add(Number(m.content.toString()));
            ch.ack(m);
          });
        };
        await consume();
        await Promise.race([
          closed,
          (async () => {
            while (consuming) await pause(100);
          })(),
        ]);
      } catch {
        // the node went away: the next one from the list
      }
      await connection.close().catch(() => {});
    }
  })();
  return {
    received,
    redelivered,
    stop: () => {
      consuming = false;
      return done;
    },
  };
}
