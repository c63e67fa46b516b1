/** Who is at the other end of a connection, as the console names it: client properties and peer address. */
import type { ConnectionSummary, FieldTable } from '../broker/types';

/** A client property as text: connection_name, product, version are what people look for. */
export function clientProperty(props: FieldTable, key: string): string {
  const v = props[key];
  return v === undefined || v === null ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** "127.0.0.1:53412", "[::1]:53412", or the address alone when the transport has no port. */
export function peerText(c: Pick<ConnectionSummary, 'peerAddress' | 'peerPort'>): string {
  if (c.peerPort === null) return c.peerAddress;
  return c.peerAddress.includes(':') ? `[${c.peerAddress}]:${c.peerPort}` : `${c.peerAddress}:${c.peerPort}`;
}

/** The names a person recognises a client by. */
export function clientIdentity(c: ConnectionSummary) {
  const props = c.clientProperties;
  return {
    name: clientProperty(props, 'connection_name'),
    product: clientProperty(props, 'product'),
    version: clientProperty(props, 'version'),
    platform: clientProperty(props, 'platform'),
    peer: peerText(c),
  };
}
