import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTable } from './codec/field-table';
import type { FieldTable } from './codec/field-value';
import { Reader } from './codec/reader';

/** Pieces of connection negotiation: what the server announces and how credentials are read. */

export type Authenticate = (user: string, password: string, peerAddress: string) => boolean | Promise<boolean>;

export const MECHANISMS = 'PLAIN AMQPLAIN';

const packageVersion = (JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string }).version;

export function serverProperties(): FieldTable {
  return {
    product: 'Warren',
    version: packageVersion,
    platform: `Node.js ${process.version}`,
    copyright: 'Warren contributors',
    information: 'AMQP 0-9-1 broker with a built-in console',
    capabilities: {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      consumer_priorities: true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      direct_reply_to: true,
    },
  };
}

export interface Credentials {
  user: string;
  password: string;
}

/** Reads a SASL response: PLAIN is "authzid\0user\0password", AMQPLAIN a table without its length. */
export function parseCredentials(mechanism: string, response: Buffer): Credentials | null {
  if (mechanism === 'PLAIN') {
    const [, user, password, ...rest] = response.toString('utf8').split('\0');
    if (user === undefined || password === undefined || rest.length > 0) return null;
    return { user, password };
  }
  if (mechanism === 'AMQPLAIN') {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(response.length);
    const table = readTable(new Reader(Buffer.concat([length, response])));
    if (typeof table.LOGIN !== 'string' || typeof table.PASSWORD !== 'string') return null;
    return { user: table.LOGIN, password: table.PASSWORD };
  }
  return null;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The default user store for now: guest/guest, from loopback only. */
export const guestFromLoopback: Authenticate = (user, password, peerAddress) => user === 'guest' && password === 'guest' && isLoopback(peerAddress);

/** True when the client announced a capability in its client-properties. */
export function clientHas(clientProperties: FieldTable, capability: string): boolean {
  const caps = clientProperties.capabilities;
  return typeof caps === 'object' && caps !== null && (caps as FieldTable)[capability] === true;
}
