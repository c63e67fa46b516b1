/** Pieces of RabbitMQ's JSON that several resources share: rates, body fields, names of connections and channels. */
import type { FieldTable } from '../../broker/types';
import { toJsonSafe } from '../../api/json-safe';
import { badRequest } from './errors';

/** The RabbitMQ version whose management API these shapes follow (test/fixtures/rabbitmq-3.10-api). */
export const RABBITMQ_API_VERSION = '3.10.8';

/** A counter with its rate, RabbitMQ's `publish` and `publish_details: {rate}`. */
export function counted(name: string, total: number, perSecond: number): Record<string, unknown> {
  return { [name]: total, [`${name}_details`]: { rate: Math.round(perSecond * 10) / 10 } };
}

export const EXCHANGE_TYPES = ['direct', 'fanout', 'headers', 'topic'].map((name) => ({
  name,
  description: `AMQP ${name} exchange, as per the AMQP specification`,
  enabled: true,
}));

/** The exchange a path names: RabbitMQ writes the default exchange as amq.default. */
export function exchangeName(param: string): string {
  return param === 'amq.default' ? '' : param;
}

/** Field tables as JSON (AMQP longs, bytes and timestamps tagged, see api/json-safe.ts). */
export function table(value: FieldTable): Record<string, unknown> {
  return toJsonSafe(value) as Record<string, unknown>;
}

export function channelName(connectionId: string, number: number): string {
  return `${connectionId} (${number})`;
}

/** "conn-3 (2)" → { connectionId: "conn-3", number: 2 }; null when it is not a channel's name. */
export function parseChannelName(name: string): { connectionId: string; number: number } | null {
  const m = /^(.*) \((\d+)\)$/.exec(name);
  return m ? { connectionId: m[1]!, number: Number(m[2]) } : null;
}

// ---- reading bodies -------------------------------------------------------------------

/** A boolean field; rabbitmqadmin sends "true" and "false" as text. */
export function bool(body: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw badRequest(`${key} must be true or false, not ${JSON.stringify(v)}.`);
}

export function text(body: Record<string, unknown>, key: string, fallback?: string): string {
  const v = body[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw badRequest(`Give ${key} in the body, e.g. {"${key}": "..."}.`);
  }
  if (typeof v !== 'string') throw badRequest(`${key} must be text, not ${JSON.stringify(v)}.`);
  return v;
}

/** A whole number field; rabbitmqadmin sends numbers as text. */
export function integer(body: Record<string, unknown>, key: string, fallback: number): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`${key} must be a whole number, not ${JSON.stringify(v)}.`);
  return n;
}

export function object(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = body[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${key} must be a JSON object, e.g. {"${key}": {}}.`);
  return v as Record<string, unknown>;
}

/** Query flags such as if-unused=true. */
export function flag(query: URLSearchParams, key: string): boolean {
  return query.get(key) === 'true';
}
