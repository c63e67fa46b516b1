import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from './broker';
import { expectBrokerError, openConnection } from './test-support';

let broker: Broker;
afterEach(() => broker?.close());

describe('virtual hosts and connections', () => {
  it('starts with / and creates, lists and deletes vhosts with everything in them', () => {
    broker = new Broker();
    expect(broker.listVhosts()).toEqual(['/']);
    broker.createVhost('staging');
    broker.declareQueue('staging', 'q');
    broker.declareQueue('/', 'q');
    expect(broker.listVhosts()).toEqual(['/', 'staging']);
    broker.deleteVhost('staging');
    expect(broker.listVhosts()).toEqual(['/']);
    expect(broker.listQueues().map((q) => `${q.vhost}:${q.name}`)).toEqual(['/:q']);
    expectBrokerError(() => broker.deleteVhost('staging'), 404, "NOT_FOUND - no vhost 'staging'");
  });

  it('refuses a connection to a missing vhost with 530 (connection scope)', () => {
    broker = new Broker();
    const error = expectBrokerError(() => openConnection(broker, 'nowhere'), 530, 'NOT_ALLOWED - vhost nowhere not found');
    expect(error.scope).toBe('connection');
  });

  it('closeConnection asks the transport to close; deleting a vhost does it for its connections', () => {
    broker = new Broker();
    broker.createVhost('v');
    const reasons: string[] = [];
    const connection = broker.openConnection({
      vhost: 'v',
      user: 'app',
      clientProperties: { product: 'test' },
      peerAddress: '10.0.0.1:4000',
      onCloseRequested: (reason) => {
        reasons.push(reason);
        connection.close();
      },
    });
    connection.openChannel(1);
    expect(broker.listConnections()).toEqual([
      expect.objectContaining({ id: connection.id, vhost: 'v', user: 'app', peerAddress: '10.0.0.1:4000', protocol: 'AMQP 0-9-1', channels: 1 }),
    ]);
    broker.deleteVhost('v');
    expect(reasons).toEqual(["vhost 'v' is deleted"]);
    expect(broker.listConnections()).toEqual([]);
    expect(broker.closeConnection('conn-unknown', 'x')).toBe(false);
  });

  it('a second channel.open on the same number is a connection error', () => {
    broker = new Broker();
    const connection = openConnection(broker);
    connection.openChannel(1);
    const error = expectBrokerError(() => connection.openChannel(1), 504, /^CHANNEL_ERROR - second 'channel.open' seen/);
    expect(error.scope).toBe('connection');
  });
});
