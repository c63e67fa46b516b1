/** /api/connections: list, one, its channels, close (DELETE). */
import { closeConnection } from '../../api/changes';
import type { ConnectionSummary } from '../../broker/types';
import type { Services } from '../../services';
import { channelJson, channelsOf } from './channels';
import { notFound } from './errors';
import { listAnswer, withColumns } from './pagination';
import { noContent, ok, requireNeed, type ApiCall, type Route } from './router';
import { connectionName, counted, table } from './shapes';

/** Where the AMQP listener is, from "127.0.0.1:5672" or "[::1]:5672". */
function listener(services: Services): { host: string; port: number } {
  const at = services.listeners.amqp;
  const colon = at.lastIndexOf(':');
  return { host: at.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(at.slice(colon + 1)) };
}

export function connectionJson(services: Services, c: ConnectionSummary): Record<string, unknown> {
  const rates = services.brokerSampler.connectionRates(c.id);
  const props = c.clientProperties;
  const named = props.connection_name;
  return {
    name: connectionName(c),
    node: services.nodeName,
    vhost: c.vhost,
    user: c.user,
    state: 'running',
    type: 'network',
    protocol: c.protocol,
    ...listener(services),
    peer_host: c.peerAddress,
    ...(c.peerPort === null ? {} : { peer_port: c.peerPort }),
    connected_at: c.connectedAt,
    channels: c.channels,
    client_properties: table(props),
    ...(named === undefined ? {} : { user_provided_name: Buffer.isBuffer(named) ? named.toString('utf8') : String(named) }),
    ...counted('recv_oct', c.bytesReceived, rates.receivedBytesPerSecond),
    ...counted('send_oct', c.bytesSent, rates.sentBytesPerSecond),
  };
}

/** Client connections the caller sees (the console's own short-lived ones are not listed). */
export function visibleConnections({ services, access }: ApiCall, vhost?: string): ConnectionSummary[] {
  return access.visible(services.broker.listConnections()).filter((c) => c.protocol !== 'console' && (vhost === undefined || c.vhost === vhost));
}

function find(call: ApiCall): ConnectionSummary {
  const found = visibleConnections(call).find((c) => connectionName(c) === call.params.name);
  if (!found) throw notFound(`Not Found: no open connection named '${call.params.name}' (names are as /api/connections lists them).`);
  return found;
}

function list(call: ApiCall) {
  if (call.params.vhost !== undefined) call.services.broker.listQueueSummaries(call.params.vhost); // 404 for a missing vhost
  return ok(
    listAnswer(
      visibleConnections(call, call.params.vhost).map((c) => connectionJson(call.services, c)),
      call.query,
      { pages: true },
    ),
  );
}

async function close(call: ApiCall) {
  const c = find(call);
  requireNeed('change', call.access, c.vhost);
  const reason = call.query.get('reason') ?? (typeof call.body.reason === 'string' ? call.body.reason : 'Closed via the management API');
  if (!(await closeConnection(call.actor, c.id, reason))) throw notFound(`Not Found: connection '${call.params.name}' is no longer open.`);
  return noContent();
}

export const connectionRoutes: Route[] = [
  { method: 'GET', path: '/connections', need: 'read', run: list },
  { method: 'GET', path: '/vhosts/{vhost}/connections', need: 'read', run: list },
  { method: 'GET', path: '/connections/{name}', need: 'read', run: (call) => ok(withColumns(connectionJson(call.services, find(call)), call.query)) },
  { method: 'DELETE', path: '/connections/{name}', need: 'read', run: close },
  {
    method: 'GET',
    path: '/connections/{name}/channels',
    need: 'read',
    run: (call) => ok(channelsOf(call, find(call)).map((ch) => channelJson(call.services, ch))),
  },
];
