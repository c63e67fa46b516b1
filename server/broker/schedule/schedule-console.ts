// Scheduled messages, through Broker.scheduled: publishing with a delay and
// the console's page of them (list with due times, sorted and filtered;
// cancel, deliver now, reschedule). A message is scheduled by
// - `x-delay` (ms above 0) on an exchange of type x-delayed-message, as
//   RabbitMQ's plugin does (exchange/delayed.ts), or
// - `x-deliver-at` (epoch ms in the future) on any exchange, Warren's own.
// Each exchange with scheduled messages has one area (scheduled-messages.ts);
// all areas share the engine's one Scheduler timer.

import type { EngineContext } from '../engine-context';
import { BrokerError, notFound } from '../errors';
import { DELAYED_TYPE } from '../exchange/delayed';
import type { Exchange } from '../exchange/exchange';
import { integerOf, textOf } from '../field-values';
import { Message } from '../message';
import { yieldToEventLoop } from '../operations/long-operations';
import { routeSenderSelected } from '../routing/router';
import type { Scheduler } from '../scheduler';
import { compileQuery, type Candidate } from '../search/search-query';
import type { SearchQuery } from '../search/search-types';
import type { FieldTable, MessageProperties, RestoredMessages } from '../types';
import { exchangeOfScheduledArea, ScheduledMessages, type ScheduledEntry } from './scheduled-messages';

export interface ScheduledAreaInfo {
  vhost: string;
  exchange: string;
  exchangeType: string;
  count: number;
  nextDueAt: number | null;
  wakeUps: number;
  released: number;
}

export interface ScheduledMessageInfo {
  seq: number;
  dueAt: number;
  heldAt: number;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
}

export interface ScheduledListOptions {
  sort?: 'due' | 'held';
  dir?: 'asc' | 'desc';
  offset?: number;
  limit: number;
  /** Only the messages matching it (no regular expression: use a search for that). */
  query?: SearchQuery;
  /** Only the messages that would reach this queue if routed now. */
  queue?: string;
}

/** offset + limit of one list page, at most. */
export const MAX_LISTED = 10_000;
/** Messages looked at between two yields to the event loop while listing. */
const LIST_SLICE = 10_000;

export class ScheduleConsole {
  private readonly areas = new Map<string, ScheduledMessages>();

  constructor(
    private readonly engine: EngineContext,
    private readonly scheduler: Scheduler,
  ) {}

  /**
   * Publish path: the due time `headers` ask for on `source`, or null when
   * the message goes now (no delay, a delay of 0 or less, a time passed).
   */
  dueTime(source: Exchange, headers: FieldTable): number | null {
    const at = headers['x-deliver-at'];
    if (at !== undefined) {
      const due = numberOf(at);
      return due !== null && due > this.engine.now() ? due : null;
    }
    if (source.type !== DELAYED_TYPE) return null;
    const delay = numberOf(headers['x-delay']);
    return delay !== null && delay > 0 ? this.engine.now() + delay : null;
  }

  /** Holds a new message published to `source` until `dueAt`; true when the store took it (confirm after its flush). */
  hold(source: Exchange, message: Message, dueAt: number): boolean {
    return this.area(source).hold(message, dueAt);
  }

  /** Recovery: puts back what the journal kept under a scheduled area's name; false when `name` is not one. */
  restore(vhost: string, name: string, messages: RestoredMessages): 'restored' | 'missing' | false {
    const exchangeName = exchangeOfScheduledArea(name);
    if (exchangeName === null) return false;
    const exchange = this.engine.findVhost(vhost)?.exchanges.get(exchangeName);
    if (exchange === undefined) return 'missing';
    const area = this.area(exchange);
    messages.forEach(({ seq, message, expiresAt }) => {
      area.restore(message, seq, expiresAt ?? 0);
    });
    return 'restored';
  }

  /** Drops the messages of exchanges that are gone (deleted, or their vhost); the broker calls it after such a deletion. */
  forgetDeleted(): void {
    for (const [k, area] of this.areas) {
      if (this.current(area.exchange)) continue;
      area.destroy();
      this.areas.delete(k);
    }
  }

  /** Exchanges holding scheduled messages (of one vhost, or all). */
  list(vhost?: string): ScheduledAreaInfo[] {
    const out: ScheduledAreaInfo[] = [];
    for (const area of this.areas.values()) {
      if ((vhost !== undefined && area.exchange.vhost !== vhost) || !this.current(area.exchange)) continue;
      out.push({
        vhost: area.exchange.vhost,
        exchange: area.exchange.name,
        exchangeType: area.exchange.type,
        count: area.count,
        nextDueAt: area.nextDueAt,
        wakeUps: area.wakeUps,
        released: area.released,
      });
    }
    return out;
  }

  /** One page of an exchange's scheduled messages, sorted, and how many match in all. Reads in slices. */
  async messages(vhost: string, exchange: string, options: ScheduledListOptions): Promise<{ total: number; messages: ScheduledMessageInfo[] }> {
    const v = this.engine.vhost(vhost);
    const source = v.exchange(exchange);
    const area = this.areas.get(key(vhost, exchange));
    const offset = options.offset ?? 0;
    const wanted = offset + options.limit;
    if (wanted > MAX_LISTED)
      throw new BrokerError('PRECONDITION_FAILED', `a page may reach at most ${MAX_LISTED.toLocaleString('en')} messages deep; narrow the list with a filter`);
    if (area === undefined || area.exchange !== source) return { total: 0, messages: [] };
    if (options.query?.payload?.regex) {
      throw new BrokerError(
        'PRECONDITION_FAILED',
        'scheduled messages are filtered by text, not by regular expression; search for a pattern with a text filter',
      );
    }
    const view = (e: ScheduledEntry): ScheduledMessageInfo => ({
      seq: e.seq,
      dueAt: e.dueAt,
      heldAt: e.heldAt,
      routingKey: e.message.routingKey,
      properties: e.message.properties,
      body: e.message.body,
    });
    const filtered = options.query !== undefined || options.queue !== undefined;
    if (!filtered && options.sort !== 'held' && options.dir !== 'desc') {
      // The usual page, soonest first: popped off a copy of the due-time heap, without looking at every message.
      return { total: area.count, messages: area.earliest(wanted).slice(offset).map(view) };
    }
    const query = compileQuery(options.query ?? {}, (c: Candidate & { heldAt: number }) => c.heldAt);
    const queue = options.queue === undefined ? undefined : v.queue(options.queue);
    const sortKey = options.sort === 'held' ? (e: ScheduledEntry) => e.heldAt : (e: ScheduledEntry) => e.dueAt;
    const sign = options.dir === 'desc' ? -1 : 1;
    const precedes = (a: ScheduledEntry, b: ScheduledEntry) => sign * (sortKey(a) - sortKey(b)) < 0 || (sortKey(a) === sortKey(b) && a.seq < b.seq);
    // The first `wanted` in order, kept sorted: most entries are compared with the last kept one only.
    const best: ScheduledEntry[] = [];
    let total = 0;
    let looked = 0;
    for (const entry of [...area.values()]) {
      if (++looked % LIST_SLICE === 0) await yieldToEventLoop();
      if (area.get(entry.seq) !== entry) continue; // delivered or cancelled meanwhile
      const m = entry.message;
      if (!query.matches({ routingKey: m.routingKey, properties: m.properties, body: m.body, heldAt: entry.heldAt })) continue;
      if (queue !== undefined && !routeSenderSelected(v.lookupExchange, source, m.routingKey, m.properties.headers).includes(queue)) continue;
      total++;
      const lastKept = best.at(-1);
      if (best.length === wanted && lastKept !== undefined && !precedes(entry, lastKept)) continue;
      let low = 0;
      let high = best.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (precedes(best[mid]!, entry)) low = mid + 1;
        else high = mid;
      }
      best.splice(low, 0, entry);
      if (best.length > wanted) best.pop();
    }
    return { total, messages: best.slice(offset).map(view) };
  }

  async cancel(vhost: string, exchange: string, seqs: number[]): Promise<{ cancelled: number }> {
    const cancelled = this.existingArea(vhost, exchange)?.cancel(seqs) ?? 0;
    await this.engine.stored();
    return { cancelled };
  }

  async deliverNow(vhost: string, exchange: string, seqs: number[]): Promise<{ delivered: number }> {
    const delivered = this.existingArea(vhost, exchange)?.deliverNow(seqs) ?? 0;
    await this.engine.stored();
    return { delivered };
  }

  /** New due time (epoch ms) for one message; answers its new seq. 404 when it is not scheduled (any more). */
  async reschedule(vhost: string, exchange: string, seq: number, dueAt: number): Promise<{ seq: number }> {
    const newSeq = this.existingArea(vhost, exchange)?.reschedule(seq, dueAt);
    if (newSeq === undefined)
      throw new BrokerError('NOT_FOUND', `no scheduled message ${seq} on exchange '${exchange}' in vhost '${vhost}': it was delivered or cancelled meanwhile`);
    await this.engine.stored();
    return { seq: newSeq };
  }

  private existingArea(vhost: string, exchange: string): ScheduledMessages | undefined {
    const source = this.engine.vhost(vhost).exchanges.get(exchange);
    if (source === undefined) throw notFound('exchange', exchange, vhost);
    const area = this.areas.get(key(vhost, exchange));
    return area?.exchange === source ? area : undefined;
  }

  private area(exchange: Exchange): ScheduledMessages {
    const k = key(exchange.vhost, exchange.name);
    const known = this.areas.get(k);
    if (known !== undefined && known.exchange === exchange) return known;
    known?.destroy(); // an exchange of that name deleted and declared again
    const area = new ScheduledMessages(
      {
        store: this.engine.store,
        scheduler: this.scheduler,
        now: () => this.engine.now(),
        route: (source, message) => this.route(source, message),
        current: (source) => this.current(source),
      },
      exchange,
    );
    this.areas.set(k, area);
    return area;
  }

  /** Routes a due message as a publish to `source` would now (BCC keys route it, and are then removed, as Broker.publish does). */
  private route(source: Exchange, message: Message): number {
    const v = this.engine.findVhost(source.vhost);
    if (v === undefined) return 0;
    const headers = message.properties.headers;
    const queues = routeSenderSelected(v.lookupExchange, source, message.routingKey, headers);
    if (queues.length === 0) source.counters.unroutable++;
    source.counters.publishedOut += queues.length;
    let delivered = message;
    if (headers?.BCC !== undefined) {
      const { BCC: _hidden, ...visible } = headers;
      // A new id: the journal knows the held one, headers and all, by its id.
      delivered = new Message(v.nextMessageId(), message.exchange, message.routingKey, { ...message.properties, headers: visible }, message.body);
    }
    for (const queue of queues) queue.enqueue(delivered);
    return queues.length;
  }

  private current(exchange: Exchange): boolean {
    return this.engine.findVhost(exchange.vhost)?.exchanges.get(exchange.name) === exchange;
  }
}

function key(vhost: string, exchange: string): string {
  return `${vhost}\0${exchange}`;
}

/** A header holding a number of milliseconds: a number, or digits as text. */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const integer = integerOf(value);
  if (integer !== null) return integer;
  const text = textOf(value);
  return text !== null && /^-?\d+$/.test(text.trim()) ? Number(text) : null;
}
