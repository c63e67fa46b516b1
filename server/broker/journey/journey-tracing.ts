// Message journeys in the engine (Broker.journeys): which vhosts and queues
// are traced, and the events of each step of a traced message, handed to
// the JourneyRecorder (server/journey/ keeps them on disk).
//
// Cost when off: the publish path reads one boolean of the vhost
// (`journeysOn`); a queue reads its own `traced` and the message's `traced`
// where it enqueues; every other step reads `message.traced`. Nothing is
// allocated for a message that is not traced.
//
// A message becomes traced when it is published in a traced vhost or into a
// traced queue, or enters a traced queue later (a move, a dead letter);
// from then on each step of it and of the messages made from it is recorded.
// Turning tracing on does not trace the messages already in the queue.

import type { Binding } from '../binding';
import { BrokerError } from '../errors';
import type { Exchange } from '../exchange/exchange';
import type { FieldTable, MessageProperties } from '../types';
import type { Message } from '../message';
import type { Queue } from '../queue/queue';
import type { Store } from '../store';
import type { Vhost } from '../vhost';
import type { Actor, JourneyDetail, JourneyEvent, JourneyEventKind, JourneyMessageKeys, JourneyRecorder } from './journey-event';

/** Who published, as the channel's connection tells it. */
export interface Publisher {
  connection: string;
  channel: number;
  user: string;
  client: string | null;
}

/** Headers kept per message for searching; longer values are cut. */
const MAX_HEADERS = 32;
const MAX_HEADER_TEXT = 200;

export interface TracingState {
  vhost: boolean;
  queues: string[];
}

export class JourneyTracing {
  private recorder: JourneyRecorder | undefined;

  constructor(
    private readonly findVhost: (name: string) => Vhost | undefined,
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** Where events go from now on (the trace log); without one, tracing records nothing. */
  setRecorder(recorder: JourneyRecorder | undefined): void {
    this.recorder = recorder;
  }

  /** Whether the vhost is traced as a whole, and which of its queues are traced on their own. 404 when missing. */
  state(vhost: string): TracingState {
    const v = this.vhostOrDie(vhost);
    return { vhost: v.traced, queues: [...v.tracedQueues].filter((name) => v.queues.has(name)).sort() };
  }

  /** Turns tracing of a whole vhost, or of one queue (`queue` non-null), on or off; kept across restarts (durable queues). */
  setTracing(vhost: string, queue: string | null, on: boolean): void {
    const v = this.vhostOrDie(vhost);
    if (queue === null) {
      v.traced = on;
      for (const q of v.queues.values()) q.traced = on || v.tracedQueues.has(q.name);
    } else {
      const q = v.queue(queue);
      if (on) v.tracedQueues.add(q.name);
      else v.tracedQueues.delete(q.name);
      q.traced = on || v.traced;
      if (!q.settings.durable) {
        v.journeysOn = v.traced || v.tracedQueues.size > 0;
        return;
      }
    }
    v.journeysOn = v.traced || v.tracedQueues.size > 0;
    this.store.tracingSet?.(vhost, queue, on);
  }

  // ---- steps ---------------------------------------------------------------

  /**
   * A publish in a vhost with tracing on somewhere: records it (and the
   * bindings that matched) when the vhost or one of the queues it goes to is
   * traced, and marks the message traced. Before the enqueues, so that the
   * steps come in order.
   */
  published(
    v: Vhost,
    source: Exchange,
    message: Message,
    queues: readonly Queue[],
    publisher: Publisher | undefined,
    origin: { from?: number; by?: Actor } | undefined,
  ): void {
    let traced = v.traced;
    for (let i = 0; i < queues.length && !traced; i++) traced = queues[i]!.traced;
    if (!traced) return;
    message.traced = true;
    const details: Record<string, JourneyDetail> = {
      exchange: source.name,
      routingKey: message.routingKey,
      bytes: message.bodySize,
      persistent: message.persistent,
      connection: publisher?.connection ?? null,
      channel: publisher?.channel ?? null,
      user: publisher?.user ?? origin?.by ?? null,
      client: publisher?.client ?? (origin?.by === undefined ? null : 'console'),
    };
    this.emit({ at: this.now(), kind: 'published', vhost: v.name, id: message.id, from: origin?.from, details, message: messageKeys(message.properties) });
    this.matchedBindings(v, source, message);
  }

  /** A publish that no queue took, in a traced vhost; `id` is a broker id given to it for its journey. */
  unroutable(v: Vhost, source: Exchange, routingKey: string, properties: MessageProperties, id: number, publisher: Publisher | undefined): void {
    this.emit({
      at: this.now(),
      kind: 'unroutable',
      vhost: v.name,
      id,
      details: {
        exchange: source.name,
        routingKey,
        connection: publisher?.connection ?? null,
        user: publisher?.user ?? null,
        client: publisher?.client ?? null,
      },
      message: messageKeys(properties),
    });
  }

  /** A message enters a queue (or is refused by it); marks it traced when the queue is. */
  enqueued(queue: Queue, message: Message, refusedBecause: string | null): void {
    const first = !message.traced;
    message.traced = true;
    this.emit({
      at: this.now(),
      kind: refusedBecause === null ? 'enqueued' : 'dropped',
      vhost: queue.vhost,
      id: message.id,
      queue: queue.name,
      details: refusedBecause === null ? {} : { reason: refusedBecause },
      // A message first seen here (published before tracing, or in an untraced queue) gets its keys here.
      message: first ? messageKeys(message.properties) : undefined,
    });
  }

  /** One step of a message in a queue, with its details. */
  step(kind: JourneyEventKind, queue: Queue, message: Message, details: Record<string, JourneyDetail> = {}): void {
    this.emit({ at: this.now(), kind, vhost: queue.vhost, id: message.id, queue: queue.name, details });
  }

  /** A message made from another (retry, dead letter, copy): traced as its original was. */
  derived(kind: JourneyEventKind, queue: Queue, original: Message, made: Message, details: Record<string, JourneyDetail>): void {
    made.traced = true;
    this.emit({ at: this.now(), kind, vhost: queue.vhost, id: made.id, from: original.id, queue: queue.name, details });
  }

  /** Delivered to a consumer (or by basic.get when `consumerTag` is null). */
  delivered(queue: Queue, message: Message, connection: string, channel: number, consumerTag: string | null, deliveryCount: number): void {
    this.step('delivered', queue, message, {
      consumerTag,
      via: consumerTag === null ? 'basic.get' : 'basic.consume',
      connection,
      channel,
      redelivered: deliveryCount > 0,
      deliveryCount,
    });
  }

  private matchedBindings(v: Vhost, source: Exchange, message: Message): void {
    if (source.name === '') return; // the default exchange has no bindings to show: the enqueue says where it went
    const headers = message.properties.headers;
    const seen = new Set<Exchange>([source]);
    const work: Exchange[] = [source];
    while (work.length > 0) {
      const exchange = work.shift() as Exchange;
      let matchedAny = false;
      for (const binding of exchange.bindings.values()) {
        const { matched, reason } = exchange.explain(binding, message.routingKey, headers);
        if (!matched) continue;
        matchedAny = true;
        this.bindingMatched(v, message, binding, reason);
        const destination = binding.destination;
        if (destination.kind === 'exchange' && !seen.has(destination)) {
          seen.add(destination);
          work.push(destination);
        }
      }
      const alternate = !matchedAny && exchange.alternateExchange !== undefined ? v.lookupExchange(exchange.alternateExchange) : undefined;
      if (alternate !== undefined && !seen.has(alternate)) {
        seen.add(alternate);
        work.push(alternate);
      }
    }
  }

  private bindingMatched(v: Vhost, message: Message, binding: Binding, reason: string): void {
    const info = binding.info();
    this.emit({
      at: this.now(),
      kind: 'binding-matched',
      vhost: v.name,
      id: message.id,
      details: { exchange: info.source, destination: info.destination, destinationType: info.destinationType, bindingKey: info.routingKey, reason },
    });
  }

  private emit(event: JourneyEvent): void {
    this.recorder?.record(event);
  }

  private vhostOrDie(name: string): Vhost {
    const v = this.findVhost(name);
    if (!v) throw new BrokerError('NOT_FOUND', `no vhost '${name}'`);
    return v;
  }
}

/** The keys a message is searched by; header values as text, a few hundred characters at most. */
export function messageKeys(properties: MessageProperties): JourneyMessageKeys {
  const headers: Record<string, string> = {};
  const table: FieldTable | undefined = properties.headers;
  if (table !== undefined) {
    let kept = 0;
    for (const name of Object.keys(table)) {
      if (kept++ >= MAX_HEADERS) break;
      headers[name] = headerText(table[name]).slice(0, MAX_HEADER_TEXT);
    }
  }
  return { messageId: properties.messageId ?? null, correlationId: properties.correlationId ?? null, headers };
}

function headerText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('utf8') : v));
  } catch {
    return String(value);
  }
}

/** The publisher of a channel's message, for its `published` step. */
export function publisherOf(connection: { id: string; info: { user: string; clientProperties: FieldTable } }, channel: number): Publisher {
  const props = connection.info.clientProperties;
  const name = props.connection_name;
  const product = props.product;
  const client = typeof name === 'string' ? name : typeof product === 'string' ? product : null;
  return { connection: connection.id, channel, user: connection.info.user, client };
}
