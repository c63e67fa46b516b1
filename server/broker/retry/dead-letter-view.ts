// How a dead letter reads to the operator: its latest death (reason, queue it
// died in, exchange and routing keys it had there), how many times it died
// and was retried, and when. Read from the x-death history RabbitMQ defines
// (most recent entry first) and Warren's x-retry-attempt header.

import { integerOf, textOf } from '../field-values';
import type { FieldTable, MessageProperties } from '../types';

export interface DeadLetter {
  /** The dead-letter queue's number for it: use it to select the message. */
  seq: number;
  position: number;
  /** Reason of the latest death, null when the message never died (published straight into the queue). */
  reason: string | null;
  originalQueue: string | null;
  originalExchange: string | null;
  routingKeys: string[];
  /** Retries it went through (x-retry-attempt). */
  attempts: number;
  /** Deaths recorded in x-death, summed over entries. */
  deaths: number;
  firstDeathAt: number | null;
  lastDeathAt: number | null;
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
}

export interface DeadLetterFilter {
  reason?: string;
  originalQueue?: string;
  /** Latest death at or after, epoch ms. */
  from?: number;
  /** Latest death at or before, epoch ms. */
  to?: number;
  /** Text the payload contains. */
  text?: string;
}

interface Browsed {
  seq: number;
  position: number;
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
}

export function deadLetterOf(m: Browsed): DeadLetter {
  const headers = m.properties.headers;
  const history = deathHistory(headers);
  const latest = history[0];
  let deaths = 0;
  let first: number | null = null;
  let last: number | null = null;
  for (const entry of history) {
    deaths += integerOf(entry.count) ?? 1;
    const time = entry.time instanceof Date ? entry.time.getTime() : null;
    if (time !== null) {
      first = first === null ? time : Math.min(first, time);
      last = last === null ? time : Math.max(last, time);
    }
  }
  const keys = latest?.['routing-keys'];
  return {
    seq: m.seq,
    position: m.position,
    reason: latest ? textOf(latest.reason) : null,
    originalQueue: latest ? textOf(latest.queue) : null,
    originalExchange: latest ? textOf(latest.exchange) : null,
    routingKeys: Array.isArray(keys) ? keys.map((k) => textOf(k) ?? '') : [],
    attempts: integerOf(headers?.['x-retry-attempt']) ?? 0,
    deaths,
    firstDeathAt: first,
    lastDeathAt: last,
    exchange: m.exchange,
    routingKey: m.routingKey,
    properties: m.properties,
    body: m.body,
  };
}

export function deathHistory(headers: FieldTable | undefined): FieldTable[] {
  const deaths = headers?.['x-death'];
  return Array.isArray(deaths) ? (deaths as FieldTable[]) : [];
}

export function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.reason !== undefined && letter.reason !== filter.reason) return false;
  if (filter.originalQueue !== undefined && letter.originalQueue !== filter.originalQueue) return false;
  if (filter.from !== undefined && (letter.lastDeathAt === null || letter.lastDeathAt < filter.from)) return false;
  if (filter.to !== undefined && (letter.lastDeathAt === null || letter.lastDeathAt > filter.to)) return false;
  if (filter.text !== undefined && filter.text !== '' && !letter.body.includes(filter.text)) return false;
  return true;
}
