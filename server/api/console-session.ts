/**
 * Runs `fn` on a short-lived engine channel that belongs to the console, for
 * operations the engine only offers to consumers (get with ack or requeue).
 * The connection is closed afterwards, which requeues anything left unacked.
 */
import type { Channel } from '../broker/channel';
import type { Services } from '../services';

export function withConsoleChannel<T>(services: Services, vhost: string, user: string, fn: (channel: Channel) => T): T {
  const connection = services.broker.openConnection({
    vhost,
    user,
    clientProperties: { product: 'Warren console' },
    peerAddress: 'console',
    protocol: 'console',
  });
  try {
    return fn(connection.openChannel(1));
  } finally {
    connection.close();
  }
}
