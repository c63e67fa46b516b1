/** /api/connections: list, one, its channels, close (DELETE); the clients of every node of a cluster. */
import { closeConnection } from '../../api/changes';
import { type ConnectionRow, connectionRows, type ListedConnection, parseConnectionId } from '../../api/connection-rows';
import type { Services } from '../../services';
import { channelJson, channelsOf } from './channels';
import { ApiError, notFound } from './errors';
import { listAnswer, withColumns } from './pagination';
import { noContent, ok, requireNeed, type ApiCall, type Route } from './router';
import { counted } from './shapes';

/** Where a listener is, from "127.0.0.1:5672" or "[::1]:5672". */
function hostAndPort(at: string): { host: string; port: number } {
  const colon = at.lastIndexOf(':');
  return { host: at.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(at.slice(colon + 1)) };
}

/** The node a row is on: its own for another node's, this one's outside a cluster. */
export function nodeOf(services: Services, c: Pick<ConnectionRow, 'node'>): string {
  return c.node ?? services.nodeName;
}

function connectionJson(services: Services, c: ListedConnection): Record<string, unknown> {
  return {
    name: c.id,
    node: nodeOf(services, c),
    vhost: c.vhost,
    user: c.user,
    state: 'running',
    type: 'network',
    protocol: c.protocol,
    ...hostAndPort(c.listener),
    peer_host: c.peerAddress,
    ...(c.peerPort === null ? {} : { peer_port: c.peerPort }),
    connected_at: c.connectedAt,
    channels: c.channels,
    client_properties: c.clientProperties,
    ...(c.name === '' ? {} : { user_provided_name: c.name }),
    ...counted('recv_oct', c.bytesReceived, c.receivedBytesPerSecond),
    ...counted('send_oct', c.bytesSent, c.sentBytesPerSecond),
  };
}

/** The client connections of every node that the caller sees (not the console's own, not the links between nodes). */
export async function visibleConnections({ services, access }: ApiCall, vhost?: string): Promise<ListedConnection[]> {
  return access.visible(await connectionRows(services)).filter((c) => vhost === undefined || c.vhost === vhost);
}

async function find(call: ApiCall): Promise<ListedConnection> {
  const found = (await visibleConnections(call)).find((c) => c.id === call.params.name);
  if (!found) throw notFound(`Not Found: no open connection named '${call.params.name}' (names are as /api/connections lists them).`);
  return found;
}

async function list(call: ApiCall) {
  if (call.params.vhost !== undefined) call.services.broker.listQueueSummaries(call.params.vhost); // 404 for a missing vhost
  const rows = (await visibleConnections(call, call.params.vhost)).map((c) => connectionJson(call.services, c));
  return ok(listAnswer(rows, call.query, { pages: true }));
}

async function close(call: ApiCall) {
  const c = await find(call);
  requireNeed('change', call.access, c.vhost);
  const reason = call.query.get('reason') ?? (typeof call.body.reason === 'string' ? call.body.reason : 'Closed via the management API');
  const refused = await closeConnection(call.actor, c.id, reason);
  if (refused === null) return noContent();
  // This node's connection can only have closed meanwhile; another node's may not have been reached in time.
  if (parseConnectionId(c.id).node === null) throw notFound(`Not Found: connection '${call.params.name}' is no longer open.`);
  throw new ApiError(503, 'service_unavailable', `Connection '${call.params.name}' is not closed: ${refused}.`);
}

export const connectionRoutes: Route[] = [
  { method: 'GET', path: '/connections', need: 'read', run: list },
  { method: 'GET', path: '/vhosts/{vhost}/connections', need: 'read', run: list },
  {
    method: 'GET',
    path: '/connections/{name}',
    need: 'read',
    run: async (call) => ok(withColumns(connectionJson(call.services, await find(call)), call.query)),
  },
  { method: 'DELETE', path: '/connections/{name}', need: 'read', run: close },
  {
    method: 'GET',
    path: '/connections/{name}/channels',
    need: 'read',
    run: async (call) => ok(channelsOf(await find(call)).map((ch) => channelJson(call.services, ch))),
  },
];
