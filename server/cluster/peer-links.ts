/**
 * The node-to-node link (docs/cluster.md, The forwarding path): how this node
 * reaches the queues other nodes own, for the engine's RemoteOwners.
 *
 * Which node owns which queue comes from the lease rows of live nodes, read
 * after every heartbeat (`refresh`). The link to a peer is one AMQP 0-9-1
 * connection per (peer, vhost), opened when first needed, to the peer's
 * ordinary AMQP port, as the reserved user `cluster:<this node>` with the
 * cluster secret as password. Every client channel that uses a peer's queue
 * gets one confirm-mode channel on that link, so its publishes, consumers and
 * settlements keep their order. A link or link channel that breaks fails what
 * waits on it: forwards are nacked, consumers are cancelled (the owner
 * requeues what they had unacked), later acks of their deliveries are dropped.
 *
 * A publish for a queue that has a lease but no live owner now (its node died
 * and no node has loaded it yet, or the link to it is down) is held for the
 * next owner, up to OWNER_WAIT_MS, and goes to it once a heartbeat finds it:
 * over its link, or into this node's engine when this node took the queue.
 * A forward that never left this node (the link could not be opened) is held
 * the same way; one that was sent and not confirmed is nacked, since the
 * owner may have committed it before it died.
 */
import amqp, {
  type Channel as AmqpChannel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message as AmqpMessage,
  type Options,
} from 'amqplib';
import type { Broker, QueueCounts, QueueLink, RemoteConsumerHandlers, RemoteConsumerSpec, RemoteGet, RemoteOwners, Settlement } from '../broker/broker';
import { FORWARDED_HEADER } from '../broker/broker';
import type { Channel } from '../broker/channel';
import { BrokerError, ReplyCode, type ReplyCodeName } from '../broker/errors';
import type { Message } from '../broker/message';
import type { MessageProperties, QueueDeleteOptions } from '../broker/types';
import type { ControlConnection } from './control-connection';
import type { QueueLeases } from './queue-leases';

/** Link users are named after the node that opens the link. */
const LINK_USER_PREFIX = 'cluster:';
const REOPEN_MS = 1_000;
/** How long a publish waits for its queue's next owner before it is nacked. */
export const OWNER_WAIT_MS = 10_000;

/** A publish held for its queue's next owner. */
interface Held {
  channel: Channel | undefined;
  message: Message;
  done: (error?: Error) => void;
  /** performance.now() after which it is nacked. */
  until: number;
  /** Forwarded by another node: it goes into this node's copy of the queue or nowhere, never over a link again. */
  fromLink?: boolean;
}

interface Owner {
  node: string;
  /** host:port of the owner's AMQP listener. */
  address: string;
}

const key = (vhost: string, queue: string) => `${vhost}\u0000${queue}`;

export class PeerLinks implements RemoteOwners {
  private owners = new Map<string, Owner>();
  /** Links by peer node, address and vhost. */
  private readonly links = new Map<string, PeerLink>();
  private broker: Broker | null = null;
  /** Queues whose consumers here lost their link (the owner died or the link broke): they follow the next owner. */
  private readonly detached = new Set<string>();
  /** Publishes held for the next owner, by queue, in publish order. */
  private readonly held = new Map<string, Held[]>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly nodeName: string,
    private readonly secret: string,
    private readonly leases: QueueLeases,
    private readonly log: (line: string) => void,
  ) {}

  /** The engine whose link users are allowed every vhost when they log in. */
  attach(broker: Broker): void {
    this.broker = broker;
  }

  isLink(user: string): boolean {
    return user.startsWith(LINK_USER_PREFIX);
  }

  /**
   * A login of another node's link: true when the password is the cluster
   * secret; the link user may then do everything in every vhost (a grant
   * that no list of users or permissions shows, nor a definitions export).
   */
  authenticate(user: string, password: string): boolean {
    if (!this.isLink(user) || password !== this.secret || this.broker === null) return false;
    this.broker.access?.allowEverywhere(user);
    return true;
  }

  /** The live node that serves a queue this node does not own, as of the last heartbeat. */
  ownerOf(vhost: string, queue: string): string | undefined {
    return this.owners.get(key(vhost, queue))?.node;
  }

  linkFor(vhost: string, queue: string, durable: boolean, origin: Channel | undefined): QueueLink | null {
    if (!durable) return null;
    const fromLink = origin !== undefined && this.isLink(origin.connection.info.user);
    // Publishes behind held ones wait too, so that none overtakes them.
    const behindHeld = this.held.has(key(vhost, queue));
    if (!behindHeld) {
      const served = this.servedBy(vhost, queue);
      // A forward from another node goes into this node's copy only when this node serves the queue: while
      // it still loads it (taken over, or moved here), the forward waits for the load like any publish.
      if (served === null) return null;
      if (served !== undefined && !fromLink) return served;
    }
    // No live owner to reach now: wait for the next one. That is also a queue declared on another node
    // whose lease this node has not read yet, and one made without a lease (console, definitions),
    // which the next heartbeat of some node leases.
    return new AwaitedOwner(
      (held) => this.hold(vhost, queue, { ...held, fromLink }),
      () => this.detached.add(key(vhost, queue)),
    );
  }

  /** Null when this node serves the queue; the link to its live owner; undefined when there is none now or its link is down. */
  private servedBy(vhost: string, queue: string): PeerLink | null | undefined {
    if (this.leases.lease(vhost, queue) !== undefined) return null;
    const owner = this.owners.get(key(vhost, queue));
    if (owner === undefined) return undefined;
    const linkKey = `${owner.node}\u0000${owner.address}\u0000${vhost}`;
    let link = this.links.get(linkKey);
    // A link that broke is opened again at most once a second: meanwhile the queue counts as without owner.
    if (link === undefined || (link.broken && performance.now() - link.brokenAt > REOPEN_MS)) {
      link = new PeerLink(
        owner.node,
        owner.address,
        vhost,
        this.nodeName,
        this.secret,
        this.log,
        (queue) => this.detached.add(key(vhost, queue)),
        (queue, held) => this.hold(vhost, queue, held),
      );
      this.links.set(linkKey, link);
    }
    return link.broken ? undefined : link;
  }

  /** Holds a publish for the queue's next owner (released by refresh, nacked OWNER_WAIT_MS after it was first held). */
  private hold(vhost: string, queue: string, held: Omit<Held, 'until'> & { until?: number }): void {
    const k = key(vhost, queue);
    let list = this.held.get(k);
    if (list === undefined) this.held.set(k, (list = []));
    const until = held.until ?? performance.now() + OWNER_WAIT_MS;
    list.push({ ...held, until });
    if (!this.expiryTimers.has(k)) this.armExpiry(vhost, queue, Math.max(0, until - performance.now()));
  }

  private armExpiry(vhost: string, queue: string, ms: number): void {
    const k = key(vhost, queue);
    const timer = setTimeout(() => {
      this.expiryTimers.delete(k);
      const list = this.held.get(k) ?? [];
      const now = performance.now();
      const expired = list.filter((h) => h.until <= now);
      const waiting = list.filter((h) => h.until > now);
      if (waiting.length > 0) {
        this.held.set(k, waiting);
        this.armExpiry(vhost, queue, waiting[0]!.until - now);
      } else this.held.delete(k);
      if (expired.length === 0) return;
      const why = `no node took over queue '${queue}' in vhost '${vhost}' within ${OWNER_WAIT_MS / 1_000} s (its owner is gone or cannot be reached)`;
      this.log(`${why}: nacked ${expired.length} publish(es) held for it; publishers may publish them again`);
      for (const h of expired) h.done(new Error(why));
    }, ms);
    timer.unref();
    this.expiryTimers.set(k, timer);
  }

  /**
   * Sends the held publishes of every queue that has a reachable owner now, in
   * the order they were published (after every heartbeat, and when this node
   * has loaded a queue it took).
   */
  release(): void {
    for (const [k, list] of this.held) {
      const [vhost, queue] = k.split('\u0000') as [string, string];
      const served = this.servedBy(vhost, queue);
      if (served === undefined) continue;
      this.held.delete(k);
      clearTimeout(this.expiryTimers.get(k));
      this.expiryTimers.delete(k);
      for (const h of list) {
        if (served === null) this.broker?.enqueueHeld(vhost, queue, h.message, h.done);
        // The node that forwarded it sends it again to the owner, once its publisher has it nacked.
        else if (h.fromLink) h.done(new Error(`queue '${queue}' in vhost '${vhost}' is served by node '${served.owner}', not this one`));
        else served.send(h.channel, queue, h.message, h.done, h.until);
      }
    }
  }

  /** Reads which live node owns each queue this node does not (after every heartbeat), and closes link channels of closed client channels. */
  async refresh(connection: ControlConnection): Promise<void> {
    const rows = await connection.query<{ vhost: string; queue: string; node: string; amqp_address: string }>(
      `SELECT v.name AS vhost, q.name AS queue, l.node, n.amqp_address
         FROM warren_cluster.queue_lease l
         JOIN warren_cluster.cluster_node n ON n.name = l.node AND n.incarnation = l.incarnation
         JOIN public."Queue" q ON q.id = l.queue_id
         JOIN public."Vhost" v ON v.id = q."vhostId"
        WHERE l.node <> $1 AND n.state = 'running' AND n.lease_expires_at > now()`,
      [this.nodeName],
    );
    const owners = new Map<string, Owner>();
    for (const r of rows) owners.set(key(r.vhost, r.queue), { node: r.node, address: r.amqp_address });
    const moved = new Set(this.detached);
    this.detached.clear();
    for (const [k, before] of this.owners) {
      const now = owners.get(k);
      if (now?.node !== before.node || now.address !== before.address) moved.add(k);
    }
    for (const k of owners.keys()) if (!this.owners.has(k)) moved.add(k);
    this.owners = owners;
    // Consumers here follow their queue to its new owner (or to this node, which may have taken it).
    for (const k of moved) {
      const [vhost, queue] = k.split('\u0000') as [string, string];
      this.broker?.reattachConsumers(vhost, queue);
    }
    for (const [linkKey, link] of this.links) {
      if (link.broken) this.links.delete(linkKey);
      else link.sweep();
    }
    this.release();
  }

  close(): Promise<void> {
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
    const held = [...this.held.values()].flat();
    this.held.clear();
    for (const h of held) h.done(new Error('this node is stopping'));
    const links = [...this.links.values()];
    this.links.clear();
    return Promise.all(links.map((link) => link.close())).then(() => undefined);
  }
}

/** One link channel: the mirror of one client channel on the owner. */
interface LinkChannel {
  ready: Promise<ConfirmChannel>;
  /** Consumers by tag, with their queue. */
  consumers: Map<string, { queue: string; handlers: RemoteConsumerHandlers }>;
  /** Forwards not yet confirmed, failed if the channel breaks. */
  unconfirmed: Set<(error?: Error) => void>;
  closed: boolean;
}

/** The link to one peer node for one vhost. */
class PeerLink implements QueueLink {
  broken = false;
  /** performance.now() when it broke. */
  brokenAt = 0;
  private readonly connection: Promise<ChannelModel>;
  private readonly channels = new Map<Channel | undefined, LinkChannel>();

  constructor(
    readonly owner: string,
    address: string,
    vhost: string,
    nodeName: string,
    secret: string,
    private readonly log: (line: string) => void,
    /** The link broke under consumers of `queue`. */
    private readonly onDetached: (queue: string) => void,
    /** A forward that never left this node: it waits for the queue's next owner (until its deadline, when it had one). */
    private readonly onUnsent: (queue: string, held: Omit<Held, 'until'> & { until?: number }) => void,
  ) {
    const [hostname, port] = splitAddress(address);
    this.connection = amqp.connect({ protocol: 'amqp', hostname, port, username: `${LINK_USER_PREFIX}${nodeName}`, password: secret, vhost, heartbeat: 5 });
    this.connection.then(
      (c) => {
        c.on('error', () => {}); // 'close' follows and says it
        c.on('close', () => this.fail(`the link to node '${owner}' closed`));
      },
      (error: unknown) => this.fail(`the link to node '${owner}' could not be opened: ${String(error)}`),
    );
  }

  forward(channel: Channel | undefined, queue: string, message: Message, done: (error?: Error) => void): void {
    this.send(channel, queue, message, done);
  }

  /** forward(), for a publish that was held already until `until`. */
  send(channel: Channel | undefined, queue: string, message: Message, done: (error?: Error) => void, until?: number): void {
    const link = this.channel(channel);
    if (link.closed) return this.onUnsent(queue, { channel, message, done, until });
    let sent = false;
    const settle = (error?: Error) => {
      if (error !== undefined && !sent) this.onUnsent(queue, { channel, message, done, until });
      else done(error);
    };
    link.unconfirmed.add(settle);
    const once = (error?: Error) => {
      if (!link.unconfirmed.delete(settle)) return;
      settle(error);
    };
    const properties = message.properties;
    const options: Options.Publish = {
      ...definedOnly(properties),
      headers: { ...properties.headers, [FORWARDED_HEADER]: [message.exchange, message.routingKey] },
    };
    link.ready.then(
      (ch) => {
        sent = true;
        ch.publish('', queue, message.body, options, (error: unknown) =>
          once(error ? new Error(`node '${this.owner}' did not take the message for queue '${queue}': ${String(error)}`) : undefined),
        );
      },
      () => once(new Error(`the link to node '${this.owner}' is down`)),
    );
  }

  consume(channel: Channel, queue: string, spec: RemoteConsumerSpec, handlers: RemoteConsumerHandlers): void {
    const link = this.channel(channel);
    if (link.closed) return this.onDetached(queue);
    link.consumers.set(spec.tag, { queue, handlers });
    void link.ready
      .then(async (ch) => {
        await ch.prefetch(spec.prefetch);
        await ch.consume(
          queue,
          (m: ConsumeMessage | null) => {
            if (m === null) {
              if (link.consumers.delete(spec.tag)) handlers.cancelled();
              return;
            }
            const accepted = handlers.deliver(relayed(m));
            if (!accepted && !spec.noAck) ch.nack(m, false, true);
          },
          { consumerTag: spec.tag, noAck: spec.noAck, exclusive: spec.exclusive, priority: spec.priority, arguments: spec.args },
        );
      })
      .catch((error: unknown) => this.log(`consuming queue '${queue}' on node '${this.owner}' failed: ${String(error)}`));
  }

  get(channel: Channel, queue: string, noAck: boolean, done: (result: RemoteGet | null, error?: Error) => void): void {
    const link = this.channel(channel);
    const unreachable = () => new Error(`queue '${queue}' is served by node '${this.owner}', which cannot be reached now; try again, or connect to that node`);
    if (link.closed) return done(null, unreachable());
    link.ready
      .then((ch) => ch.get(queue, { noAck }))
      .then(
        (m) => done(m === false ? null : { ...relayed(m), messageCount: m.fields.messageCount }),
        () => done(null, unreachable()),
      );
  }

  counts(queue: string, done: (counts: QueueCounts | null) => void): void {
    // A channel of its own: a 404 from the owner must not close a client's link channel.
    this.connection
      .then((c) => c.createChannel())
      .then(async (ch) => {
        ch.on('error', () => {});
        const ok = await ch.checkQueue(queue);
        await ch.close();
        return ok;
      })
      .then(
        (ok) => done({ messageCount: ok.messageCount, consumerCount: ok.consumerCount }),
        () => done(null),
      );
  }

  purge(queue: string, done: (count: number, error?: Error) => void): void {
    this.onOwnChannel((ch) => ch.purgeQueue(queue)).then(
      (ok) => done(ok.messageCount),
      (error: unknown) => done(0, this.refusal(queue, error)),
    );
  }

  delete(queue: string, options: QueueDeleteOptions, done: (count: number, error?: Error) => void): void {
    this.onOwnChannel((ch) => ch.deleteQueue(queue, { ifUnused: options.ifUnused === true, ifEmpty: options.ifEmpty === true })).then(
      (ok) => done(ok.messageCount),
      (error: unknown) => done(0, this.refusal(queue, error)),
    );
  }

  /** One method on a channel of its own: the owner closing it with an error (a 406, a 404) must not close a client's link channel. */
  private async onOwnChannel<T>(method: (ch: AmqpChannel) => Promise<T>): Promise<T> {
    if (this.broken) throw new Error(`the link to node '${this.owner}' is down`);
    const ch = await (await this.connection).createChannel();
    ch.on('error', () => {});
    const result = await method(ch);
    await ch.close().catch(() => {});
    return result;
  }

  /** The owner's refusal as the same BrokerError, or 405 when the owner could not be reached. */
  private refusal(queue: string, error: unknown): BrokerError {
    const code = (error as { code?: unknown }).code;
    const text = /with message "(.*)"$/s.exec(error instanceof Error ? error.message : '')?.[1];
    const name = (Object.keys(ReplyCode) as ReplyCodeName[]).find((n) => ReplyCode[n] === code);
    if (name !== undefined && text !== undefined) return new BrokerError(name, text.startsWith(`${name} - `) ? text.slice(name.length + 3) : text);
    return new BrokerError(
      'RESOURCE_LOCKED',
      `queue '${queue}' is served by node '${this.owner}', which cannot be reached now; try again, or connect to that node`,
    );
  }

  cancel(channel: Channel, consumerTag: string): void {
    const link = this.channels.get(channel);
    if (link === undefined || !link.consumers.delete(consumerTag)) return;
    void link.ready.then((ch) => ch.cancel(consumerTag)).catch(() => {});
  }

  settle(channel: Channel, linkTag: number, how: Settlement): void {
    const link = this.channels.get(channel);
    if (link === undefined || link.closed) return; // the owner requeued it when the link channel broke
    const delivery = { fields: { deliveryTag: linkTag } } as AmqpMessage;
    void link.ready
      .then((ch) => {
        if (how === 'ack') ch.ack(delivery);
        else ch.nack(delivery, false, how === 'requeue');
      })
      .catch(() => {});
  }

  channelClosed(channel: Channel): void {
    const link = this.channels.get(channel);
    if (link === undefined) return;
    this.channels.delete(channel);
    this.closeChannel(link, 'its client channel closed', false);
  }

  /** Closes the link channels whose client channel closed (publish-only channels are never told). */
  sweep(): void {
    for (const channel of this.channels.keys()) if (channel?.closed) this.channelClosed(channel);
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.connection.then((c) => c.close()).catch(() => {});
  }

  private channel(channel: Channel | undefined): LinkChannel {
    let link = this.channels.get(channel);
    if (link !== undefined && !link.closed) return link;
    const created: LinkChannel = {
      ready: this.connection.then((c) => c.createConfirmChannel()),
      consumers: new Map(),
      unconfirmed: new Set(),
      closed: this.broken,
    };
    link = created;
    this.channels.set(channel, link);
    created.ready.then(
      (ch) => {
        // An error is the owner closing the channel (channel.close); without one, the whole link went.
        let closedByOwner = false;
        ch.on('error', () => {
          closedByOwner = true;
        });
        ch.on('close', () => {
          if (this.channels.get(channel) === created) this.channels.delete(channel);
          this.closeChannel(created, closedByOwner ? 'the owner closed the link channel' : 'the link is down', closedByOwner);
        });
      },
      () => this.closeChannel(created, 'the link is down', false),
    );
    return link;
  }

  /**
   * Fails what waits on a link channel. Its consumers are cancelled when the
   * owner closed the channel (`byOwner`: their queue went, or the owner refused
   * them); when the link broke they stay, and follow the queue's next owner.
   */
  private closeChannel(link: LinkChannel, why: string, byOwner: boolean): void {
    if (link.closed) return;
    link.closed = true;
    const error = new Error(`node '${this.owner}' did not confirm: ${why}`);
    for (const done of [...link.unconfirmed]) done(error);
    link.unconfirmed.clear();
    const consumers = [...link.consumers.values()];
    link.consumers.clear();
    for (const { queue, handlers } of consumers) {
      if (byOwner) handlers.cancelled();
      else this.onDetached(queue);
    }
    void link.ready.then((ch) => ch.close()).catch(() => {});
  }

  private fail(why: string): void {
    if (this.broken) return;
    this.broken = true;
    this.brokenAt = performance.now();
    this.log(why);
    const channels = [...this.channels.values()];
    this.channels.clear();
    for (const link of channels) this.closeChannel(link, why, false);
  }
}

/**
 * The link of a queue whose owner is being replaced (its node is gone, or the
 * link to it is down): publishes wait for the next owner; consumers follow it
 * once known (they count as detached); the rest cannot be answered now.
 */
class AwaitedOwner implements QueueLink {
  readonly owner = '(none live)';

  constructor(
    private readonly hold: (held: Omit<Held, 'until'>) => void,
    /** A consumer waits too: it is attached again after the next heartbeat. */
    private readonly detach: () => void,
  ) {}

  forward(channel: Channel | undefined, _queue: string, message: Message, done: (error?: Error) => void): void {
    this.hold({ channel, message, done });
  }

  consume(): void {
    this.detach();
  }

  cancel(): void {}
  settle(): void {}
  channelClosed(): void {}

  counts(_queue: string, done: (counts: QueueCounts | null) => void): void {
    done(null);
  }

  get(_channel: Channel, queue: string, _noAck: boolean, done: (result: RemoteGet | null, error?: Error) => void): void {
    done(null, new Error(noOwner(queue)));
  }

  purge(queue: string, done: (count: number, error?: Error) => void): void {
    done(0, new BrokerError('RESOURCE_LOCKED', noOwner(queue)));
  }

  delete(queue: string, _options: QueueDeleteOptions, done: (count: number, error?: Error) => void): void {
    done(0, new BrokerError('RESOURCE_LOCKED', noOwner(queue)));
  }
}

/** Why a queue without a live owner cannot be answered now (basic.get makes it a 405 itself). */
function noOwner(queue: string): string {
  return `queue '${queue}' has no live owner now (a node is taking it over); try again in a few seconds`;
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

/** Warren's basic properties as amqplib's publish options (the same names), without the absent ones. */
function definedOnly(properties: MessageProperties): Options.Publish {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(properties)) if (value !== undefined) out[name] = value;
  return out as Options.Publish;
}

/** amqplib's message properties as Warren's, without the absent ones. */
/** What the owner sent over the link (a delivery or a get-ok), as the client's node relays it. */
function relayed(m: AmqpMessage) {
  return {
    linkTag: m.fields.deliveryTag,
    exchange: m.fields.exchange,
    routingKey: m.fields.routingKey,
    properties: fromAmqplib(m.properties),
    body: m.content,
    redelivered: m.fields.redelivered,
  };
}

function fromAmqplib(properties: ConsumeMessage['properties']): MessageProperties {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(properties)) if (value !== undefined) out[name] = value;
  return out as MessageProperties;
}
