import type { Channel, ChannelModel } from 'amqplib';

/**
 * Publishes `body` to `queue` as fast as the socket takes it until the broker
 * sends connection.blocked (or `max` messages went). A blocked broker stops
 * reading, so 'drain' may never come: waits for whichever is first.
 */
export async function publishUntilBlocked(
  conn: ChannelModel,
  ch: Channel,
  queue: string,
  body: Buffer,
  max: number,
): Promise<{ reason: string; sent: number }> {
  let reason = '';
  const blocked = new Promise<void>((resolve) =>
    conn.once('blocked', (why: string) => {
      reason = why;
      resolve();
    }),
  );
  let sent = 0;
  while (reason === '' && sent < max) {
    if (!ch.sendToQueue(queue, body)) await Promise.race([new Promise((r) => ch.once('drain', r)), blocked]);
    if (++sent % 5000 === 0) await new Promise((r) => setImmediate(r));
  }
  return { reason, sent };
}
