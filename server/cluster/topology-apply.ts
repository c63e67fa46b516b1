/**
 * Applies another node's topology change to this node (docs/cluster.md,
 * Shared topology): the engine through the Broker facade with the store muted,
 * as recovery re-declares, since the row is in the database already; users
 * and permissions through Users and AccessControl. The feed's rows carry ids
 * (vhostId, userId), resolved by names kept from the rows seen. A change this
 * node cannot apply (a binding to a queue it never learnt of, say) is logged
 * and skipped; the next ones still apply.
 */
import { parseTags, type Users } from '../auth/users';
import type { Broker } from '../broker/broker';
import type { PolicyTarget } from '../broker/policy/policy-definition';
import type { FieldTable } from '../broker/types';
import { decodeFieldTable } from '../store/field-table-json';
import type { ControlConnection } from './control-connection';
import type { TopologyChange } from './topology-feed';

/** What applying a change needs of this node. */
export interface ClusterEngine {
  broker: Broker;
  /** The durable store; muted while a change from elsewhere is applied, so it is not written back. */
  store: { muted: boolean };
  users: Users;
}

type Row = Record<string, unknown>;

export class TopologyApplier {
  private readonly vhostNames = new Map<number, string>();
  private readonly userNames = new Map<number, string>();

  constructor(
    private readonly engine: ClusterEngine,
    private readonly log: (line: string) => void,
  ) {}

  /** The names of the vhosts and users there are now (their later inserts come through the feed). */
  async loadNames(connection: ControlConnection): Promise<void> {
    for (const v of await connection.query<{ id: number; name: string }>('SELECT id, name FROM public."Vhost"')) this.vhostNames.set(v.id, v.name);
    for (const u of await connection.query<{ id: number; name: string }>('SELECT id, name FROM public."User"')) this.userNames.set(u.id, u.name);
  }

  async apply(change: TopologyChange): Promise<void> {
    try {
      this.muted(() => this.applyOne(change));
    } catch (error) {
      this.log(
        `topology feed: could not apply change ${change.id} (${change.entity} ${change.op} from node '${change.origin}'): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private muted(work: () => void): void {
    const store = this.engine.store;
    store.muted = true;
    try {
      work();
    } finally {
      store.muted = false;
    }
  }

  private applyOne({ entity, op, row }: TopologyChange): void {
    const { broker, users } = this.engine;
    const deleted = op === 'D';
    switch (entity) {
      case 'Vhost': {
        const name = String(row.name);
        if (deleted) {
          if (broker.hasVhost(name)) broker.deleteVhost(name);
        } else {
          this.vhostNames.set(Number(row.id), name);
          broker.createVhost(name);
          if (broker.journeys.state(name).vhost !== (row.traced === true)) broker.journeys.setTracing(name, null, row.traced === true);
        }
        return;
      }
      case 'User': {
        const name = String(row.name);
        if (deleted) users.deletedElsewhere(name);
        else {
          this.userNames.set(Number(row.id), name);
          users.changedElsewhere(name, parseTags(String(row.tags)));
        }
        return;
      }
      case 'Permission': {
        const [user, vhost] = [this.user(row), this.vhost(row)];
        if (deleted) users.access.clear(user, vhost);
        else users.access.set(user, vhost, { configure: String(row.configure), write: String(row.write), read: String(row.read) });
        return;
      }
      case 'TopicPermission': {
        const [user, vhost, exchange] = [this.user(row), this.vhost(row), String(row.exchange)];
        if (deleted) users.access.topics.clear(user, vhost, exchange);
        else users.access.topics.set(user, vhost, exchange, { write: String(row.write), read: String(row.read) });
        return;
      }
      case 'Policy': {
        const vhost = this.vhost(row);
        const name = String(row.name);
        if (deleted) {
          if (broker.listPolicies(vhost).some((p) => p.name === name)) broker.deletePolicy(vhost, name);
        } else {
          broker.setPolicy(vhost, {
            name,
            pattern: String(row.pattern),
            applyTo: String(row.applyTo) as PolicyTarget,
            priority: Number(row.priority),
            definition: JSON.parse(String(row.definition)) as Record<string, unknown>,
          });
        }
        return;
      }
      case 'Exchange': {
        const vhost = this.vhost(row);
        const name = String(row.name);
        if (deleted) {
          if (broker.has(vhost, 'exchange', name)) broker.deleteExchange(vhost, name);
        } else if (!broker.has(vhost, 'exchange', name)) {
          broker.declareExchange(vhost, name, String(row.type), {
            durable: true,
            autoDelete: row.autoDelete === true,
            internal: row.internal === true,
            arguments: args(row),
            fromStore: true,
          });
        }
        return;
      }
      case 'Queue': {
        const vhost = this.vhost(row);
        const name = String(row.name);
        if (deleted) {
          if (broker.has(vhost, 'queue', name)) broker.deleteQueue(vhost, name);
          return;
        }
        if (!broker.has(vhost, 'queue', name)) broker.restoreQueueDeclaration(vhost, name, { autoDelete: row.autoDelete === true, arguments: args(row) });
        if (row.paused === true) broker.queueTools.pause(vhost, name);
        else if (row.type !== 'stream') broker.queueTools.resume(vhost, name);
        if (broker.journeys.state(vhost).queues.includes(name) !== (row.traced === true)) broker.journeys.setTracing(vhost, name, row.traced === true);
        return;
      }
      case 'Binding': {
        const vhost = this.vhost(row);
        const [source, destination, routingKey] = [String(row.source), String(row.destination), String(row.routingKey)];
        const toQueue = row.destinationType !== 'exchange';
        if (deleted) {
          if (!broker.has(vhost, toQueue ? 'queue' : 'exchange', destination) || !broker.has(vhost, 'exchange', source)) return; // gone with it
          if (toQueue) broker.unbindQueue(vhost, destination, source, routingKey, args(row));
          else broker.unbindExchange(vhost, destination, source, routingKey, args(row));
        } else if (toQueue) broker.bindQueue(vhost, destination, source, routingKey, args(row));
        else broker.bindExchange(vhost, destination, source, routingKey, args(row));
        return;
      }
    }
  }

  private vhost(row: Row): string {
    const name = this.vhostNames.get(Number(row.vhostId));
    if (name === undefined) throw new Error(`no vhost with id ${String(row.vhostId)} is known here`);
    return name;
  }

  private user(row: Row): string {
    const name = this.userNames.get(Number(row.userId));
    if (name === undefined) throw new Error(`no user with id ${String(row.userId)} is known here`);
    return name;
  }
}

function args(row: Row): FieldTable {
  return decodeFieldTable(String(row.arguments ?? '{}')) as FieldTable;
}
