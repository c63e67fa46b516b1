/**
 * The client connections and their channels, as the console's Connections and
 * Channels pages list them. In a cluster each node writes its own rows with
 * its heartbeat (cluster/shared-connections.ts) and every console adds the
 * other nodes' rows to its own: each row says its node, and the id of another
 * node's connection says it too (`conn-5@n2`). The links between nodes are
 * not clients and are left out.
 */
import type { Broker } from '../broker/broker';
import type { Channel } from '../broker/channel';
import type { ConnectionSummary } from '../broker/types';
import type { Services } from '../services';
import { clientIdentity } from './client-identity';
import { toJsonSafe } from './json-safe';

/** What the rows are made from: a node without the console (a test's node process) has these too. */
type RowSources = Pick<Services, 'broker' | 'brokerSampler' | 'nodeName' | 'cluster'>;

/** One channel as the console shows it: its limits, its publisher mode, its rates and what it consumes. */
function channelView(services: RowSources, ch: Channel) {
  return {
    number: ch.number,
    /** basic.qos for each new consumer (0: unlimited), and the limit its consumers share (global; 0: none). */
    prefetch: ch.prefetchCount,
    globalPrefetch: ch.globalPrefetchCount,
    unacked: ch.unackedCount,
    confirm: ch.confirm,
    transactional: ch.transactional,
    flowing: ch.writable,
    ...services.brokerSampler.channelRates(ch.connection.id, ch.number),
    consumers: [...ch.consumers.values()].map((c) => ({
      tag: c.tag,
      queue: c.queue.name,
      vhost: c.queue.vhost,
      prefetch: c.prefetch,
      unacked: c.unacked,
      noAck: c.noAck,
    })),
  };
}

function channelsOf(services: RowSources, c: ConnectionSummary) {
  return [...(services.broker.getConnection(c.id)?.channels.values() ?? [])].map((ch) => channelView(services, ch));
}

/** A connection of a client: not one of the console's own, not another node's link. */
export function isClient(broker: Broker, c: ConnectionSummary): boolean {
  return c.protocol !== 'console' && !broker.isLinkUser(c.user);
}

/** How many clients are connected to this node (the Nodes page's figure). */
export function clientCount(broker: Broker): number {
  return broker.listConnections().filter((c) => isClient(broker, c)).length;
}

/** This node's client connections (not the console's own, not other nodes' links), each with its channels. */
export function localConnectionRows(services: RowSources) {
  const { broker } = services;
  return broker
    .listConnections()
    .filter((c) => isClient(broker, c))
    .map((c) => ({
      ...c,
      /** null when this Warren is not a cluster. */
      node: services.cluster ? services.nodeName : null,
      clientProperties: toJsonSafe(c.clientProperties),
      ...clientIdentity(c),
      ...services.brokerSampler.connectionRates(c.id),
      channelList: channelsOf(services, c),
    }));
}

export type ConnectionRow = ReturnType<typeof localConnectionRows>[number];

/** A client connection of any node, with the AMQP listener ("host:port") it came in on. */
export type ListedConnection = ConnectionRow & { listener: string };

/** The id another node's connection has on this node's console. */
function elsewhereId(id: string, node: string): string {
  return `${id}@${node}`;
}

/** The connection an id of the console names: on this node (node null) or on another. */
export function parseConnectionId(id: string): { id: string; node: string | null } {
  const at = id.lastIndexOf('@');
  return at < 0 ? { id, node: null } : { id: id.slice(0, at), node: id.slice(at + 1) };
}

/**
 * The client connections of every node, each with the AMQP listener it came
 * in on; those of nodes PostgreSQL cannot tell now are left out.
 */
export async function connectionRows(services: Services): Promise<ListedConnection[]> {
  const local = localConnectionRows(services).map((c) => ({ ...c, listener: services.listeners.amqp }));
  if (services.cluster === undefined) return local;
  const elsewhere = await services.cluster.connections.elsewhere().catch(() => []);
  // Rows another node wrote: the same shape, made by localConnectionRows there.
  const remote = elsewhere.flatMap(({ node, listener, rows }) => (rows as ConnectionRow[]).map((c) => ({ ...c, id: elsewhereId(c.id, node), node, listener })));
  return [...local, ...remote];
}

/** A client connection of any node by the id the console shows (`conn-5` here, `conn-5@n2` on node n2); undefined once it is closed. */
export async function findConnectionRow(services: Services, shownId: string) {
  return (await connectionRows(services)).find((c) => c.id === shownId);
}

/** Every channel of the connections, with the connection it belongs to. */
export function channelRows(connections: ConnectionRow[]) {
  return connections.flatMap((c) => {
    const connection = { id: c.id, name: c.name, peer: c.peer, peerAddress: c.peerAddress, peerPort: c.peerPort, user: c.user, vhost: c.vhost, node: c.node };
    return c.channelList.map((ch) => ({ ...ch, connection }));
  });
}
